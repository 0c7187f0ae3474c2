/**
 * Remote mode as users and hosting platforms meet it: `node bin/azmcp.js server start --transport http`
 * spawned with Entra settings pointing at the fake Entra ID (HTTPS, generated CA), driven by the real MCP
 * SDK client and by plain HTTP. Every spawned server runs under the loopback guard (hostingEnv).
 */
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { discoverAuthorizationServerMetadata, discoverOAuthProtectedResourceMetadata, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLIENTS, DEFAULT_SUBSCRIPTIONS, MCP_APP_ROLE, MCP_SCOPE, TENANT_A } from '../fakes/defaults.js';
import { startFakeAzure, type FakeAzure } from '../fakes/index.js';
import { hostingEnv } from '../support/hosting-env.js';
import { runServerStartToExit, startHttpServer, type HttpServerHandle } from '../support/http-server.js';
import { ACCEPT, fetchTrustingFake, initializeRequest, PROTOCOL_VERSION, rpcMessages } from './support.js';
import { CLIENT_ID, expectedChallenge, TOKEN_MATRIX } from './token-matrix.js';

let fake: FakeAzure;
const servers: HttpServerHandle[] = [];

beforeAll(async () => {
  fake = await startFakeAzure();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGKILL')));
  await fake?.close();
});

const HOSTING = () => ['--outgoing-auth-strategy', 'UseHostingEnvironmentIdentity', '--cloud', fake.cloudFile, '--mode', 'all'];

function authEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return hostingEnv(fake, {
    AzureAd__Instance: `${fake.entraUrl}/`,
    AzureAd__TenantId: fake.tenantId,
    AzureAd__ClientId: CLIENT_ID,
    ...extra,
  });
}

async function start(args: string[], env: NodeJS.ProcessEnv, port?: number | null): Promise<HttpServerHandle> {
  const server = await startHttpServer({ args, env, port });
  servers.push(server);
  return server;
}

async function connectClient(url: string, token?: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : {},
  });
  const client = new Client({ name: 'vscode-like', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers }, body: JSON.stringify(body) });
}

/** A request on a fresh TCP connection (fetch would reuse a pooled keep-alive one). */
function getOnNewConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('authenticated server (hosting identity for Azure)', () => {
  let server: HttpServerHandle;
  const issued: string[] = [];
  const mint: FakeAzure['mintToken'] = async (...args) => {
    const token = await fake.mintToken(...args);
    issued.push(token);
    return token;
  };

  beforeAll(async () => {
    server = await start(HOSTING(), authEnv());
  });

  it('logs the listening URL and answers /health anonymously', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const health = await fetch(`${server.baseUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'healthy' });
  });

  it('VS Code-style: anonymous initialize → 401 → metadata → token → tools/list and a tool call', async () => {
    // 1. Anonymous initialize, as VS Code sends it first.
    const anonymous = await post(server.url, initializeRequest());
    expect(anonymous.status).toBe(401);
    const prmUrl = `${server.baseUrl}/.well-known/oauth-protected-resource/mcp`;
    expect(anonymous.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${prmUrl}"`);
    const { resourceMetadataUrl } = extractWWWAuthenticateParams(anonymous);
    expect(resourceMetadataUrl?.href).toBe(prmUrl);

    // 2. The metadata names the authorization server and the scope to request.
    const prm = await discoverOAuthProtectedResourceMetadata(server.url, { resourceMetadataUrl });
    expect(prm).toEqual({
      resource: server.url,
      authorization_servers: [`${fake.entraUrl}/${TENANT_A}/v2.0`],
      scopes_supported: [`api://${CLIENT_ID}/${MCP_SCOPE}`],
      bearer_methods_supported: ['header'],
    });
    const as = await discoverAuthorizationServerMetadata(prm.authorization_servers![0]!, { fetchFn: fetchTrustingFake(fake) });
    expect(as?.token_endpoint).toBe(`${fake.entraUrl}/${TENANT_A}/oauth2/v2.0/token`);

    // 3. Sign-in yields a user token for that scope (minted as Entra would issue it).
    const token = await mint(fake.principals.alice);

    // 4. The real SDK client with the bearer header.
    const client = await connectClient(server.url, token);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['subscription_list', 'group_list', 'group_resource_list', 'storage_account_get', 'identity_whoami']);
    const result = (await client.callTool({ name: 'subscription_list', arguments: {} })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const { subscriptions } = result.structuredContent as { subscriptions: Array<{ displayName: string }> };
    expect(subscriptions.map((s) => s.displayName)).toContain(DEFAULT_SUBSCRIPTIONS.contosoDev.displayName);
    await client.close();
  });

  it('a daemon app with a client-credentials token from Entra (role Mcp.Tools.ReadWrite.All) lists tools', async () => {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: DEFAULT_CLIENTS.appCaller.clientId,
      client_secret: DEFAULT_CLIENTS.appCaller.secret,
      scope: `api://${CLIENT_ID}/.default`,
    });
    const response = await fake.request(`${fake.entraUrl}/${TENANT_A}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(response.status, response.text).toBe(200);
    const token = response.json<{ access_token: string }>().access_token;
    issued.push(token);
    const client = await connectClient(server.url, token);
    expect((await client.listTools()).tools).toHaveLength(5);
    await client.close();
    expect(MCP_APP_ROLE).toBe('Mcp.Tools.ReadWrite.All');
  });

  it('accepts a token signed with a newly rotated Entra key at once', async () => {
    expect((await post(server.url, initializeRequest(), { authorization: `Bearer ${await mint(fake.principals.alice)}` })).status).toBe(200);
    await fake.rotateSigningKey();
    const rotated = await post(server.url, initializeRequest(), { authorization: `Bearer ${await mint(fake.principals.alice)}` });
    expect(rotated.status).toBe(200);
  });

  it.each(TOKEN_MATRIX.map((row) => [row.name, row] as const))('token matrix over HTTP: %s', async (_name, row) => {
    const { authorization, query, expect: expected } = await row.request(fake);
    if (authorization) issued.push(authorization.replace(/^Bearer /, ''));
    if (query) issued.push(query.replace('?access_token=', ''));
    const response = await post(`${server.url}${query ?? ''}`, initializeRequest(), authorization ? { authorization } : {});
    expect(response.status).toBe(expected.status);
    expect(response.headers.get('www-authenticate') ?? undefined).toBe(expectedChallenge(expected, `${server.baseUrl}/.well-known/oauth-protected-resource/mcp`));
  });

  it('answers 413 for a body over 4 MiB and 400/-32700 for malformed JSON', async () => {
    const authorization = `Bearer ${await mint(fake.principals.alice)}`;
    const big = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: ACCEPT, authorization },
      body: JSON.stringify({ ...initializeRequest(), padding: 'x'.repeat(4 * 1024 * 1024) }),
    });
    // The rest of the body is read and discarded, so the client gets to read the answer (no EPIPE).
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe(-32600);
    const malformed = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT, authorization }, body: '{"jsonrpc":' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: the request body is not valid JSON.' }, id: null });
  });

  it('refuses a DNS-rebound Host on its loopback bind', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${server.baseUrl}/health`, { headers: { host: 'attacker.example' }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('writes no token to its logs, and redacts query strings (runs last in this block)', async () => {
    await post(`${server.url}?access_token=${issued[0]}`, initializeRequest());
    const stderr = server.stderr();
    expect(issued.length).toBeGreaterThan(20);
    for (const token of issued) {
      expect(stderr).not.toContain(token);
      const signature = token.split('.')[2];
      if (signature) expect(stderr).not.toContain(signature);
    }
    expect(stderr).toContain('?access_token=[redacted]');
    expect(stderr).not.toContain('LOOPBACK-GUARD');
  });
});

describe('default outgoing strategy (NotSet = on-behalf-of for authenticated http)', () => {
  it("tools act as the caller: identity_whoami is the signed-in user's Graph /me", async () => {
    const server = await start(
      ['--cloud', fake.cloudFile, '--mode', 'all'],
      authEnv({
        AzureAd__ClientCredentials__0__SourceType: 'ClientSecret',
        AzureAd__ClientCredentials__0__ClientSecret: DEFAULT_CLIENTS.serverApp.secret,
      }),
    );
    const token = await fake.mintToken(fake.principals.bob);
    const client = await connectClient(server.url, token);
    const result = (await client.callTool({ name: 'identity_whoami', arguments: {} })) as CallToolResult;
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    expect(JSON.stringify(result.structuredContent)).toContain(fake.principals.bob.oid);
    await client.close();
    expect(fake.state.tokenRequests({ grantType: 'obo', assertionOid: fake.principals.bob.oid }).length).toBeGreaterThan(0);
  });
});

describe('--stateless', () => {
  it('gives no session id, and two server processes serve one client interchangeably', async () => {
    const [a, b] = await Promise.all([start(['--stateless', ...HOSTING()], authEnv()), start(['--stateless', ...HOSTING()], authEnv())]);
    const authorization = `Bearer ${await fake.mintToken(fake.principals.alice)}`;
    const headers = { authorization, 'mcp-protocol-version': PROTOCOL_VERSION };

    const init = await post(a.url, initializeRequest(), { authorization });
    expect(init.status).toBe(200);
    expect(init.headers.get('mcp-session-id')).toBeNull();
    expect((await post(b.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).status).toBe(202);

    const list = await post(b.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, headers);
    expect(list.status).toBe(200);
    expect(rpcMessages(await list.text())[0]?.result?.tools).toHaveLength(5);
    const call = await post(a.url, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'subscription_list', arguments: {} } }, headers);
    expect(rpcMessages(await call.text())[0]?.result?.isError).toBeFalsy();

    // The real SDK client copes with a stateless server too (its GET stream is refused with 405).
    const client = await connectClient(b.url, authorization.slice(7));
    expect((await client.listTools()).tools).toHaveLength(5);
    await client.close();
  });
});

describe('graceful shutdown', () => {
  it('on SIGTERM stops accepting connections, finishes the in-flight tool call, and exits 0', async () => {
    const server = await start(HOSTING(), authEnv());
    const client = await connectClient(server.url, await fake.mintToken(fake.principals.alice));
    fake.state.resetRequests();
    fake.state.injectArmFailures(/^\/subscriptions$/, [
      { status: 200, delayMs: 2000, body: { value: [{ id: '/subscriptions/slow', subscriptionId: 'slow', displayName: 'Slow Subscription', state: 'Enabled', tenantId: TENANT_A }] } },
    ]);
    const inFlight = client.callTool({ name: 'subscription_list', arguments: {} }) as Promise<CallToolResult>;
    await until(() => fake.state.requests({ service: 'arm', path: /^\/subscriptions$/ }).some((r) => r.injected));

    server.process.kill('SIGTERM');
    await until(async () => (await getOnNewConnection(`${server.baseUrl}/health`).catch(() => 0)) === 0);

    const result = await inFlight;
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    expect(JSON.stringify(result.structuredContent)).toContain('Slow Subscription');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    const messages = server.logs().map((l) => l.msg);
    expect(messages).toContain('shutting down: no new connections; finishing in-flight requests');
    expect(messages[messages.length - 1]).toBe('stopped');
    await client.close().catch(() => undefined);
  });

  it('Ctrl-C after SIGTERM stops at once instead of waiting for in-flight requests', async () => {
    const server = await start(HOSTING(), authEnv());
    const client = await connectClient(server.url, await fake.mintToken(fake.principals.alice));
    fake.state.resetRequests();
    fake.state.injectArmFailures(/^\/subscriptions$/, [{ status: 200, delayMs: 20_000, body: { value: [] } }]);
    const inFlight = client.callTool({ name: 'subscription_list', arguments: {} }).catch((error: unknown) => error);
    await until(() => fake.state.requests({ service: 'arm', path: /^\/subscriptions$/ }).some((r) => r.injected));

    server.process.kill('SIGTERM');
    await until(() => server.logs().some((l) => l.msg === 'shutting down: no new connections; finishing in-flight requests'));
    server.process.kill('SIGINT');
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.logs().map((l) => l.reason)).toContain('SIGINT during shutdown');
    await inFlight;
    await client.close().catch(() => undefined);
  });
});

describe('start-up configuration', () => {
  it.each([
    ['AzureAd__ClientId', { AzureAd__ClientId: undefined }],
    ['AzureAd__TenantId', { AzureAd__TenantId: undefined }],
  ])('fails before listening, with one line naming %s when it is missing', async (key, extra) => {
    const { code, stderr } = await runServerStartToExit(['--transport', 'http', '--port', '0', ...HOSTING()], authEnv(extra));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^error: ${key} is not set: incoming authentication needs `))]);
  });

  it('rejects a public base URL with a path', async () => {
    const { code, stderr } = await runServerStartToExit(['--transport', 'http', '--port', '0', ...HOSTING()], authEnv({ AzureMcp__PublicBaseUrl: 'https://mcp.contoso.com/azmcp' }));
    expect(code).toBe(1);
    expect(stderr).toContain("error: AzureMcp__PublicBaseUrl 'https://mcp.contoso.com/azmcp' must be an origin");
  });

  it.each(['PORT', 'FUNCTIONS_CUSTOMHANDLER_PORT'])('listens on %s when --port is not given (Azure Functions custom handler)', async (name) => {
    const port = await freePort();
    const server = await start(HOSTING(), authEnv({ [name]: String(port) }), null);
    expect(server.url).toBe(`http://127.0.0.1:${port}/mcp`);
    await server.stop();
  });

  it('AzureMcp__MaxRequestsPerMinutePerCaller sets the per-caller limit', async () => {
    const server = await start(HOSTING(), authEnv({ AzureMcp__MaxRequestsPerMinutePerCaller: '2' }));
    const authorization = `Bearer ${await fake.mintToken(fake.principals.alice)}`;
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(server.url, initializeRequest(), { authorization })).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await post(server.url, initializeRequest(), { authorization });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('--dangerously-disable-http-incoming-auth', () => {
  it('serves without a token on loopback, with the hosting identity, and publishes no metadata', async () => {
    const server = await start(['--dangerously-disable-http-incoming-auth', '--cloud', fake.cloudFile, '--mode', 'all'], hostingEnv(fake));
    const client = await connectClient(server.url);
    const result = (await client.callTool({ name: 'identity_whoami', arguments: {} })) as CallToolResult;
    expect(JSON.stringify(result.structuredContent)).toContain(DEFAULT_CLIENTS.hostApp.oid);
    await client.close();
    expect((await fetch(`${server.baseUrl}/.well-known/oauth-protected-resource/mcp`)).status).toBe(404);
  });

  it('refuses a non-loopback bind without ALLOW_INSECURE_EXTERNAL_BINDING', async () => {
    const { code, stderr } = await runServerStartToExit(['--transport', 'http', '--port', '0', '--host', '0.0.0.0', '--dangerously-disable-http-incoming-auth'], hostingEnv(fake));
    expect(code).toBe(1);
    expect(stderr).toContain('--dangerously-disable-http-incoming-auth binds loopback only');
  });
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
