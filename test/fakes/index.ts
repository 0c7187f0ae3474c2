/**
 * Fake Azure for tests: Entra ID, Azure Resource Manager, Microsoft Graph and an App Service managed-identity
 * endpoint, each on its own HTTPS server on 127.0.0.1 (random port) behind a CA generated at run time.
 *
 *   const fake = await startFakeAzure();
 *   spawn('node', [...], { env: fake.childEnv({ AZURE_CLOUD: fake.cloudFile }) });
 *   const token = await fake.mintToken(fake.principals.alice);        // incoming user token for serverApp
 *   fake.state.injectArmFailures('/subscriptions', [{ status: 429, retryAfter: 1 }]);
 *   fake.state.tokenRequests({ grantType: 'obo', assertionOid: fake.principals.alice.oid });
 *   await fake.close();
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { armHandler } from './arm.js';
import type { FakeContext } from './context.js';
import {
  DEFAULT_SUBSCRIPTIONS,
  DEFAULT_TENANTS,
  TENANT_A,
  TENANT_B,
  WORKLOAD_IDENTITY_SUBJECT,
  loadDefaults,
  type DefaultClients,
  type DefaultPrincipals,
} from './defaults.js';
import { entraHandler } from './entra.js';
import { graphHandler } from './graph.js';
import { startService, type RunningServer } from './http.js';
import { MI_PATH, managedIdentityHandler } from './managed-identity.js';
import { mintClaims } from './mint.js';
import { FakeState, TOKEN_EXCHANGE_AUDIENCE } from './state.js';
import { generateClientCertificate, generateTestPki } from './tls.js';
import { TokenKeys, type SignOptions } from './tokens.js';
import type { FakePrincipal } from './types.js';

export * from './types.js';
export { FakeState, GRANT_CLIENT_CREDENTIALS, GRANT_JWT_BEARER, TOKEN_EXCHANGE_AUDIENCE, type OboFailure } from './state.js';
export {
  DEFAULT_CLIENTS,
  DEFAULT_MANAGED_IDENTITIES,
  DEFAULT_SUBSCRIPTIONS,
  DEFAULT_TENANTS,
  DEFAULT_USERS,
  MCP_APP_ROLE,
  MCP_SCOPE,
  TENANT_A,
  TENANT_B,
  VSCODE_CLIENT_ID,
  WORKLOAD_IDENTITY_SUBJECT,
  type DefaultClients,
  type DefaultPrincipals,
} from './defaults.js';
export { OBO_ERRORS } from './entra-errors.js';

export const ARM_AUDIENCE = 'https://management.azure.com';
/**
 * `node --import <this>` makes a child process refuse every non-loopback TCP connection (stderr line
 * `LOOPBACK-GUARD refused host:port`), proving nothing reaches the internet or IMDS.
 */
export const LOOPBACK_GUARD_PATH = fileURLToPath(new URL('./probes/loopback-guard.mjs', import.meta.url));
export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';

export interface ServerAppCertificate {
  /** PEM with the private key and the certificate (what ClientCertificateCredential / CertificateDiskPath expect). */
  path: string;
  /** Certificate only / private key only (PKCS#8). */
  certPemPath: string;
  keyPemPath: string;
  certPem: string;
  keyPem: string;
  /** Hex thumbprints (lowercase). */
  thumbprintSha1: string;
  thumbprintSha256: string;
}

export interface FakeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = unknown>(): T;
}

export interface FakeAzure {
  caCertPath: string;
  caCertPem: string;
  /** Authority host, e.g. https://127.0.0.1:PORT (tenants under /{tenantId}). */
  entraUrl: string;
  armUrl: string;
  graphUrl: string;
  /** Base URL of the managed-identity server (miEndpoint = miUrl + '/msi/token'). */
  miUrl: string;
  /** App Service style IDENTITY_ENDPOINT / IDENTITY_HEADER values. */
  miEndpoint: string;
  miHeader: string;
  /** Path of the cloud JSON pointing at these fakes. */
  cloudFile: string;
  /** Default tenant (Contoso) and second tenant (Fabrikam). */
  tenantId: string;
  tenant2Id: string;
  armAudience: string;
  graphAudience: string;
  tokenExchangeAudience: string;
  state: FakeState;
  principals: DefaultPrincipals;
  clients: DefaultClients;
  subscriptions: typeof DEFAULT_SUBSCRIPTIONS;
  tenants: typeof DEFAULT_TENANTS;
  serverAppCertificate: ServerAppCertificate;
  /** See LOOPBACK_GUARD_PATH. */
  loopbackGuardPath: string;
  /** Trusts the test CA, for in-process HTTPS calls (`https.request(url, { agent })`). */
  httpsAgent: Agent;
  /**
   * Mint an access token exactly as the fake Entra would issue it (RS256, current key, kid header).
   * Defaults: iss `${entraUrl}/${tid}/v2.0`, ver '2.0', iat/nbf now, exp now+3600; users get aud serverApp,
   * scp 'Mcp.Tools.ReadWrite', azp VS Code; apps get aud serverApp, roles ['Mcp.Tools.ReadWrite.All'].
   * `claims` override anything (an `undefined` value removes the claim). Unknown principals are added to the state.
   */
  mintToken(principal: FakePrincipal, claims?: Record<string, unknown>, opts?: SignOptions): Promise<string>;
  /** New key becomes current and is published in JWKS (old ones kept). */
  rotateSigningKey(): Promise<void>;
  /** IDENTITY_ENDPOINT / IDENTITY_HEADER for a child process. */
  miEnv(): Record<string, string>;
  /**
   * Environment for a spawned process: `base` (default process.env) without proxy settings and without
   * AZURE_* / IDENTITY_* / MSI_* / IMDS_* variables, plus NODE_EXTRA_CA_CERTS = the test CA, NO_PROXY, and `extra`.
   */
  childEnv(extra?: Record<string, string | undefined>, base?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Write a workload-identity token file (aud api://AzureADTokenExchange, sub = subject); returns its path. */
  writeFederatedTokenFile(subject?: string, claims?: Record<string, unknown>): Promise<string>;
  /** HTTPS request trusting the test CA (tests calling ARM/Graph/Entra directly). */
  request(url: string, init?: { method?: string; headers?: Record<string, string>; body?: string }): Promise<FakeResponse>;
  close(): Promise<void>;
}

export interface StartFakeAzureOptions {
  /** ARM items per page (default 2, so paging is exercised). */
  pageSize?: number;
}

const STRIPPED_ENV = /^(AZURE_|IDENTITY_|MSI_|IMDS_|IDENTITY_SERVER_THUMBPRINT$|HTTPS?_PROXY$|ALL_PROXY$|NO_PROXY$)/i;

export async function startFakeAzure(options: StartFakeAzureOptions = {}): Promise<FakeAzure> {
  const pki = generateTestPki();
  const dir = await mkdtemp(join(tmpdir(), 'azmcp-fake-azure-'));
  const caCertPath = join(dir, 'ca.pem');
  await writeFile(caCertPath, pki.caCertPem);

  const cert = generateClientCertificate('azmcp-server');
  const serverAppCertificate: ServerAppCertificate = {
    path: join(dir, 'server-app.pem'),
    certPemPath: join(dir, 'server-app.crt.pem'),
    keyPemPath: join(dir, 'server-app.key.pem'),
    certPem: cert.certPem,
    keyPem: cert.keyPem,
    thumbprintSha1: cert.thumbprintSha1,
    thumbprintSha256: cert.thumbprintSha256,
  };
  await writeFile(serverAppCertificate.path, `${cert.keyPem}${cert.certPem}`, { mode: 0o600 });
  await writeFile(serverAppCertificate.certPemPath, cert.certPem);
  await writeFile(serverAppCertificate.keyPemPath, cert.keyPem, { mode: 0o600 });

  const state = new FakeState(ARM_AUDIENCE, GRAPH_AUDIENCE, options.pageSize ?? 2);
  const keys = await TokenKeys.create();
  const ctx: FakeContext = { state, keys, urls: { entra: '', arm: '', graph: '', mi: '' }, miHeader: randomBytes(16).toString('hex') };
  const { principals, clients } = loadDefaults(state, cert.certPem);
  state.markData();

  const tls = { key: pki.serverKeyPem, cert: pki.serverCertPem };
  const servers: RunningServer[] = [];
  try {
    const entra = await startService('entra', tls, state, entraHandler(ctx));
    servers.push(entra);
    const arm = await startService('arm', tls, state, armHandler(ctx));
    servers.push(arm);
    const graph = await startService('graph', tls, state, graphHandler(ctx));
    servers.push(graph);
    const systemAssigned = (): FakePrincipal | undefined => state.findPrincipal(principals.managedIdentity.oid);
    const mi = await startService('mi', tls, state, managedIdentityHandler(ctx, systemAssigned));
    servers.push(mi);
    ctx.urls = { entra: entra.url, arm: arm.url, graph: graph.url, mi: mi.url };
  } catch (error) {
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const cloudFile = join(dir, 'cloud.json');
  await writeFile(
    cloudFile,
    JSON.stringify(
      {
        name: 'FakeCloud',
        authorityHost: `${ctx.urls.entra}/`,
        resourceManagerEndpoint: `${ctx.urls.arm}/`,
        resourceManagerAudience: ARM_AUDIENCE,
        microsoftGraphEndpoint: `${ctx.urls.graph}/`,
        microsoftGraphAudience: GRAPH_AUDIENCE,
      },
      null,
      2,
    ),
  );

  const httpsAgent = new Agent({ ca: pki.caCertPem, keepAlive: false });
  const miEndpoint = `${ctx.urls.mi}${MI_PATH}`;

  const mintToken: FakeAzure['mintToken'] = async (principal, claims = {}, opts) => {
    if (!state.findPrincipal(principal.oid)) state.addPrincipal(principal);
    return keys.sign(mintClaims(ctx, principal, claims), opts);
  };

  const request: FakeAzure['request'] = (url, init = {}) =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(url, { method: init.method ?? 'GET', headers: init.headers, agent: httpsAgent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (init.body !== undefined) req.write(init.body);
      req.end();
    });

  let closed = false;
  return {
    caCertPath,
    caCertPem: pki.caCertPem,
    entraUrl: ctx.urls.entra,
    armUrl: ctx.urls.arm,
    graphUrl: ctx.urls.graph,
    miUrl: ctx.urls.mi,
    miEndpoint,
    miHeader: ctx.miHeader,
    cloudFile,
    tenantId: TENANT_A,
    tenant2Id: TENANT_B,
    armAudience: ARM_AUDIENCE,
    graphAudience: GRAPH_AUDIENCE,
    tokenExchangeAudience: TOKEN_EXCHANGE_AUDIENCE,
    state,
    principals,
    clients,
    subscriptions: DEFAULT_SUBSCRIPTIONS,
    tenants: DEFAULT_TENANTS,
    serverAppCertificate,
    httpsAgent,
    loopbackGuardPath: LOOPBACK_GUARD_PATH,
    mintToken,
    rotateSigningKey: () => keys.rotate(),
    miEnv: () => ({ IDENTITY_ENDPOINT: miEndpoint, IDENTITY_HEADER: ctx.miHeader }),
    childEnv: (extra = {}, base = process.env) => {
      const env: NodeJS.ProcessEnv = {};
      for (const [k, v] of Object.entries(base)) if (!STRIPPED_ENV.test(k)) env[k] = v;
      Object.assign(env, { NODE_EXTRA_CA_CERTS: caCertPath, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' });
      for (const [k, v] of Object.entries(extra)) {
        if (v === undefined) delete env[k];
        else env[k] = v;
      }
      return env;
    },
    writeFederatedTokenFile: async (subject = WORKLOAD_IDENTITY_SUBJECT, claims = {}) => {
      const now = Math.floor(Date.now() / 1000);
      const token = await keys.sign({
        aud: TOKEN_EXCHANGE_AUDIENCE,
        iss: `${ctx.urls.entra}/${TENANT_A}/v2.0`,
        sub: subject,
        iat: now,
        nbf: now,
        exp: now + 3600,
        jti: randomUUID(),
        ...claims,
      });
      const path = join(dir, `federated-token-${randomBytes(4).toString('hex')}.jwt`);
      await writeFile(path, token, { mode: 0o600 });
      return path;
    },
    request,
    close: async () => {
      if (closed) return;
      closed = true;
      httpsAgent.destroy();
      await Promise.all(servers.map((s) => s.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
