// Child-process probe: drives the REAL @azure/identity, @azure/arm-* clients and jose against the fakes.
// Usage: node real-libs.mjs <scenario>   with FAKE_PROBE=<json config> and NODE_EXTRA_CA_CERTS=<test CA>.
// Prints one JSON line: {ok: true, result} or {ok: false, error: {name, message, statusCode, code}}.
// Only specific credentials are constructed (never DefaultAzureCredential), so nothing probes IMDS.
import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  OnBehalfOfCredential,
} from '@azure/identity';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import { ResourceManagementClient } from '@azure/arm-resources';
import { StorageManagementClient } from '@azure/arm-storage';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';

const cfg = JSON.parse(process.env.FAKE_PROBE ?? '{}');
const scenario = process.argv[2];
const authOpts = { authorityHost: cfg.entraUrl, disableInstanceDiscovery: true };
const armScope = `${cfg.armAudience}/.default`;
const graphScope = `${cfg.graphAudience}/.default`;
const armOpts = { endpoint: cfg.armUrl, credentialScopes: [armScope] };

async function collect(iter) {
  const out = [];
  for await (const item of iter) out.push(item);
  return out;
}

async function listSubscriptions(credential) {
  const client = new SubscriptionClient(credential, armOpts);
  const subs = await collect(client.subscriptions.list());
  return subs.map((s) => ({ subscriptionId: s.subscriptionId, displayName: s.displayName, tenantId: s.tenantId, state: s.state }));
}

function claimsOf(token) {
  const c = decodeJwt(token.token);
  return { aud: c.aud, oid: c.oid, tid: c.tid, appid: c.appid, idtyp: c.idtyp, scp: c.scp, name: c.name, upn: c.upn, sub: c.sub, roles: c.roles, iss: c.iss, expiresOnTimestamp: token.expiresOnTimestamp };
}

function oboCredential(extra = {}) {
  const base = { tenantId: cfg.tenantId, clientId: cfg.clientId, userAssertionToken: cfg.userAssertionToken, ...authOpts, ...extra };
  if (cfg.certificatePath) return new OnBehalfOfCredential({ ...base, certificatePath: cfg.certificatePath });
  return new OnBehalfOfCredential({ ...base, clientSecret: cfg.clientSecret });
}

const scenarios = {
  async 'secret-arm'() {
    const credential = new ClientSecretCredential(cfg.tenantId, cfg.clientId, cfg.clientSecret, authOpts);
    const token = await credential.getToken(armScope);
    const subscriptions = await listSubscriptions(credential);
    const tenants = await collect(new SubscriptionClient(credential, armOpts).tenants.list());
    return { claims: claimsOf(token), subscriptions, tenants: tenants.map((t) => ({ tenantId: t.tenantId, displayName: t.displayName, defaultDomain: t.defaultDomain })) };
  },
  async 'secret-token'() {
    const credential = new ClientSecretCredential(cfg.tenantId, cfg.clientId, cfg.clientSecret, authOpts);
    return { claims: claimsOf(await credential.getToken(cfg.scope ?? armScope)) };
  },
  async 'cert-arm'() {
    const credential = new ClientCertificateCredential(cfg.tenantId, cfg.clientId, { certificatePath: cfg.certificatePath }, { ...authOpts, sendCertificateChain: !!cfg.sendCertificateChain });
    const token = await credential.getToken(armScope);
    return { claims: claimsOf(token), subscriptions: await listSubscriptions(credential) };
  },
  async obo() {
    const credential = oboCredential();
    const arm1 = await credential.getToken(armScope);
    const arm2 = await credential.getToken(armScope); // served from MSAL's cache
    const subscriptions = await listSubscriptions(credential);
    const graph = await credential.getToken(graphScope);
    const me = await fetch(new URL('v1.0/me', `${cfg.graphUrl}/`), { headers: { Authorization: `Bearer ${graph.token}` } });
    return { arm: claimsOf(arm1), sameToken: arm1.token === arm2.token, graph: claimsOf(graph), subscriptions, me: { status: me.status, body: await me.json() } };
  },
  async 'obo-token'() {
    return { claims: claimsOf(await oboCredential().getToken(cfg.scope ?? armScope)) };
  },
  async 'obo-federated'() {
    // Server app authenticates with a managed identity's token for api://AzureADTokenExchange (SignedAssertionFromManagedIdentity).
    const mi = new ManagedIdentityCredential({ clientId: cfg.managedIdentityClientId });
    const credential = new OnBehalfOfCredential({
      tenantId: cfg.tenantId,
      clientId: cfg.clientId,
      userAssertionToken: cfg.userAssertionToken,
      getAssertion: async () => (await mi.getToken(`${cfg.tokenExchangeAudience}/.default`)).token,
      ...authOpts,
    });
    return { claims: claimsOf(await credential.getToken(armScope)) };
  },
  async mi() {
    const credential = cfg.managedIdentityClientId ? new ManagedIdentityCredential({ clientId: cfg.managedIdentityClientId }) : new ManagedIdentityCredential();
    const token = await credential.getToken(armScope);
    return { claims: claimsOf(token), subscriptions: await listSubscriptions(credential) };
  },
  async 'mi-federated'() {
    const mi = new ManagedIdentityCredential({ clientId: cfg.managedIdentityClientId });
    const exchange = await mi.getToken(`${cfg.tokenExchangeAudience}/.default`);
    const credential = new ClientAssertionCredential(cfg.tenantId, cfg.clientId, async () => (await mi.getToken(`${cfg.tokenExchangeAudience}/.default`)).token, authOpts);
    const token = await credential.getToken(armScope);
    return { exchange: claimsOf(exchange), claims: claimsOf(token), subscriptions: await listSubscriptions(credential) };
  },
  async jose() {
    const discovery = await (await fetch(`${cfg.entraUrl}/${cfg.tenantId}/v2.0/.well-known/openid-configuration`)).json();
    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const results = [];
    for (const token of cfg.tokens) {
      try {
        const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: discovery.issuer, audience: cfg.audience, algorithms: ['RS256'] });
        results.push({ ok: true, oid: payload.oid, kid: protectedHeader.kid });
      } catch (error) {
        results.push({ ok: false, code: error.code, message: error.message });
      }
    }
    return { issuer: discovery.issuer, jwksUri: discovery.jwks_uri, results };
  },
  async 'arm-data'() {
    const credential = new ClientSecretCredential(cfg.tenantId, cfg.clientId, cfg.clientSecret, authOpts);
    const resources = new ResourceManagementClient(credential, cfg.subscriptionId, armOpts);
    const groups = await collect(resources.resourceGroups.list());
    const inGroup = await collect(resources.resources.listByResourceGroup(groups[0].name));
    const storage = new StorageManagementClient(credential, cfg.subscriptionId, armOpts);
    const accounts = await collect(storage.storageAccounts.list());
    const one = await storage.storageAccounts.getProperties(accounts[0].id.split('/')[4], accounts[0].name);
    let missingGroup;
    try {
      await resources.resourceGroups.get('rg-does-not-exist');
    } catch (error) {
      missingGroup = { statusCode: error.statusCode, code: error.code };
    }
    return {
      groups: groups.map((g) => ({ name: g.name, location: g.location, provisioningState: g.properties?.provisioningState })),
      inGroup: inGroup.map((r) => ({ name: r.name, type: r.type })),
      accounts: accounts.map((a) => ({ name: a.name, kind: a.kind, sku: a.sku?.name, blob: a.primaryEndpoints?.blob, created: a.creationTime instanceof Date })),
      one: { name: one.name, provisioningState: one.provisioningState, location: one.location },
      missingGroup,
    };
  },
};

try {
  const run = scenarios[scenario];
  if (!run) throw new Error(`unknown scenario ${scenario}`);
  const result = await run();
  process.stdout.write(`${JSON.stringify({ ok: true, result })}\n`);
} catch (error) {
  process.stdout.write(
    `${JSON.stringify({ ok: false, error: { name: error?.name, message: String(error?.message ?? error), statusCode: error?.statusCode, code: error?.code, errorResponse: error?.errorResponse } })}\n`,
  );
}
