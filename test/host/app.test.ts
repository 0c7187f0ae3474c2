/**
 * The HTTP host in process (`app.inject()`), its token validator talking to the fake Entra over HTTPS:
 * the token matrix, challenges, metadata, body limits, DNS rebinding, rate limits, sessions, stateless mode.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HttpHostConfig } from '../../src/config/azure-ad.js';
import { FailedAuthLimit } from '../../src/host/failed-auth-limit.js';
import { DEFAULT_CLIENTS, MCP_APP_ROLE, MCP_SCOPE, TENANT_A, TENANT_B, VSCODE_CLIENT_ID } from '../fakes/defaults.js';
import { startFakeAzure, type FakeAzure } from '../fakes/index.js';
import { buildTestApp, callCallerEcho, hostConfig, initializeRequest, mcp, memoryLogger, openSession, rpcMessages } from './support.js';
import { CLIENT_ID, expectedChallenge, TOKEN_MATRIX } from './token-matrix.js';

let fake: FakeAzure;
const apps: FastifyInstance[] = [];
// app.inject() sends Host: localhost:80.
const PRM = 'http://localhost:80/.well-known/oauth-protected-resource/mcp';

beforeAll(async () => {
  fake = await startFakeAzure();
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});
afterAll(async () => {
  await fake?.close();
});

async function app(overrides: Partial<HttpHostConfig> = {}, options: Parameters<typeof buildTestApp>[2] = {}, settings: Record<string, string> = {}) {
  const built = await buildTestApp(fake, hostConfig(fake, overrides, settings), options);
  apps.push(built);
  return built;
}

describe('incoming token matrix', () => {
  it.each(TOKEN_MATRIX.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const server = await app();
    const { authorization, query, expect: expected } = await row.request(fake);
    const response = await mcp(server, { url: `/mcp${query ?? ''}`, headers: authorization ? { authorization } : {} });

    expect(response.statusCode, response.payload).toBe(expected.status);
    expect(response.headers['www-authenticate']).toBe(expectedChallenge(expected, PRM));
    if (expected.status === 200) {
      expect(response.headers['mcp-session-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(rpcMessages(response.payload)[0]?.result?.serverInfo?.name).toBe('azmcp');
    } else {
      expect(response.json()).toEqual({
        error: expected.status === 401 ? 'invalid_token' : 'insufficient_scope',
        error_description: expect.any(String),
      });
    }
  });

  it('answers 403 with a description naming the missing scope and the scope to request', async () => {
    const server = await app();
    const response = await mcp(server, { token: await fake.mintToken(fake.principals.alice, { scp: 'User.Read' }) });
    expect(response.json()).toEqual({
      error: 'insufficient_scope',
      error_description: `The user token's scopes (scp: 'User.Read') do not include ${MCP_SCOPE}. Request a token for api://${CLIENT_ID}/${MCP_SCOPE}.`,
    });
  });

  it('accepts a token signed with a key Entra rotated in after the keys were cached', async () => {
    const server = await app({}, { validatorOptions: { unknownKidCooldownMs: 60_000 } });
    expect((await mcp(server, { token: await fake.mintToken(fake.principals.alice) })).statusCode).toBe(200);
    await fake.rotateSigningKey();
    fake.state.resetRequests();

    const rotated = await mcp(server, { token: await fake.mintToken(fake.principals.alice) });
    expect(rotated.statusCode).toBe(200);
    expect(fake.state.requests({ service: 'entra', path: /keys$/ })).toHaveLength(1);
  });

  it('refetches the keys for unknown key ids at most once per cooldown', async () => {
    const server = await app({}, { validatorOptions: { unknownKidCooldownMs: 60_000 } });
    expect((await mcp(server, { token: await fake.mintToken(fake.principals.alice) })).statusCode).toBe(200);
    fake.state.resetRequests();
    for (let i = 0; i < 3; i++) {
      const response = await mcp(server, { token: await fake.mintToken(fake.principals.alice, {}, { key: 'unknown', header: { kid: `random-${i}` } }) });
      expect(response.statusCode).toBe(401);
    }
    expect(fake.state.requests({ service: 'entra', path: /keys$/ })).toHaveLength(1);
  });

  it('honours configured scope and role names', async () => {
    const server = await app({}, {}, { 'AzureMcp:RequiredScope': 'Contoso.Read', 'AzureMcp:RequiredRole': 'Contoso.Daemon' });
    const user = await mcp(server, { token: await fake.mintToken(fake.principals.alice) });
    expect(user.statusCode).toBe(403);
    expect(user.headers['www-authenticate']).toBe(`Bearer error="insufficient_scope", scope="api://${CLIENT_ID}/Contoso.Read", resource_metadata="${PRM}"`);
    expect((await mcp(server, { token: await fake.mintToken(fake.principals.alice, { scp: 'Contoso.Read' }) })).statusCode).toBe(200);
    expect((await mcp(server, { token: await fake.mintToken(fake.principals.appCaller, { roles: ['Contoso.Daemon'] }) })).statusCode).toBe(200);
  });

  it('with AzureAd__TenantId=organizations accepts any tenant, matching the issuer to the token\'s tid', async () => {
    const server = await app({}, {}, { 'AzureAd:TenantId': 'organizations' });
    expect((await mcp(server, { token: await fake.mintToken(fake.principals.alice) })).statusCode).toBe(200);
    expect((await mcp(server, { token: await fake.mintToken(fake.principals.alice, { tid: TENANT_B }) })).statusCode).toBe(200);
    const mismatched = await mcp(server, { token: await fake.mintToken(fake.principals.alice, { tid: TENANT_B, iss: `${fake.entraUrl}/${TENANT_A}/v2.0` }) });
    expect(mismatched.statusCode).toBe(401);
    expect(mismatched.json().error_description).toContain("is not this server's tenant");
    const metadata = await server.inject({ url: '/.well-known/oauth-protected-resource/mcp' });
    expect(metadata.json().authorization_servers).toEqual([`${fake.entraUrl}/organizations/v2.0`]);
  });

  it('answers 503 with Retry-After when the tenant metadata cannot be fetched', async () => {
    const server = await app({}, { validatorOptions: { fetch: (async () => { throw new TypeError('fetch failed'); }) as typeof fetch } });
    const response = await mcp(server, { token: await fake.mintToken(fake.principals.alice) });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json().error).toBe('temporarily_unavailable');
  });

  it('after a failed discovery, fetches again only once the cooldown has passed', async () => {
    let clock = 1_000_000;
    const server = await app({}, { validatorOptions: { unknownKidCooldownMs: 10_000, now: () => clock } });
    fake.state.resetRequests();
    fake.state.injectFailures('entra', /openid-configuration|keys/, [{ status: 500 }]);
    for (let i = 0; i < 5; i++) {
      const response = await mcp(server, { token: await fake.mintToken(fake.principals.alice) });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
    }
    expect(fake.state.requests({ service: 'entra', path: /openid-configuration|keys/ })).toHaveLength(1);

    clock += 10_000;
    expect((await mcp(server, { token: await fake.mintToken(fake.principals.alice) })).statusCode).toBe(200);
    expect(fake.state.requests({ service: 'entra', path: /openid-configuration/ })).toHaveLength(2);
  });
});

describe('the caller reaches tool handlers through the request context', () => {
  it('a user: kind, oid, tid, scopes, client app, name and upn', async () => {
    const server = await app();
    const token = await fake.mintToken(fake.principals.alice, { scp: `${MCP_SCOPE} User.Read` });
    const session = await openSession(server, token);
    const { response, caller } = await callCallerEcho(server, token, session);
    expect(response.statusCode).toBe(200);
    expect(caller).toEqual({
      kind: 'user',
      token: '<present>',
      oid: fake.principals.alice.oid,
      tid: TENANT_A,
      scopes: [MCP_SCOPE, 'User.Read'],
      roles: [],
      clientAppId: VSCODE_CLIENT_ID,
      name: 'Alice Smith',
      upn: 'alice@contoso.onmicrosoft.com',
      expiresAt: expect.any(Number),
    });
  });

  it('an app: kind app with its roles and client id', async () => {
    const server = await app();
    const token = await fake.mintToken(fake.principals.appCaller);
    const session = await openSession(server, token);
    const { caller } = await callCallerEcho(server, token, session);
    expect(caller).toMatchObject({ kind: 'app', oid: fake.principals.appCaller.oid, roles: [MCP_APP_ROLE], scopes: [], clientAppId: fake.principals.appCaller.appId });
  });

  it("each request's own token reaches the tool, not the one that opened the session", async () => {
    const server = await app();
    const session = await openSession(server, await fake.mintToken(fake.principals.alice));
    const { caller } = await callCallerEcho(server, await fake.mintToken(fake.principals.alice, { scp: `${MCP_SCOPE} Files.Read` }), session);
    expect(caller?.scopes).toEqual([MCP_SCOPE, 'Files.Read']);
  });

  it('no caller when incoming auth is disabled', async () => {
    const server = await app({ incomingAuth: false, auth: undefined });
    const session = await openSession(server);
    const { caller } = await callCallerEcho(server, undefined, session);
    expect(caller).toBeNull();
  });
});

describe('Protected Resource Metadata', () => {
  const expected = (resource: string) => ({
    resource,
    authorization_servers: [`${fake.entraUrl}/${TENANT_A}/v2.0`],
    scopes_supported: [`api://${DEFAULT_CLIENTS.serverApp.clientId}/${MCP_SCOPE}`],
    bearer_methods_supported: ['header'],
  });

  it('is served anonymously at the path-aware and the root well-known paths, from the request Host', async () => {
    const server = await app();
    for (const url of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const response = await server.inject({ url, headers: { host: '127.0.0.1:8080' } });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(expected('http://127.0.0.1:8080/mcp'));
    }
  });

  it('uses AzureMcp__PublicBaseUrl behind a TLS-terminating proxy, in metadata and challenges', async () => {
    const server = await app({ host: '0.0.0.0', publicBaseUrl: 'https://mcp.contoso.com' });
    const metadata = await server.inject({ url: '/.well-known/oauth-protected-resource/mcp', headers: { host: 'internal:8080' } });
    expect(metadata.json()).toEqual(expected('https://mcp.contoso.com/mcp'));
    const challenge = await mcp(server, { headers: { host: 'internal:8080' } });
    expect(challenge.headers['www-authenticate']).toBe('Bearer resource_metadata="https://mcp.contoso.com/.well-known/oauth-protected-resource/mcp"');
  });

  it('escapes a hostile Host header inside the challenge', async () => {
    const server = await app({ host: '0.0.0.0' });
    const response = await mcp(server, { headers: { host: 'a"b\\c' } });
    expect(response.headers['www-authenticate']).toBe('Bearer resource_metadata="http://a\\"b\\\\c/.well-known/oauth-protected-resource/mcp"');
  });

  it('is absent when incoming auth is disabled', async () => {
    const server = await app({ incomingAuth: false, auth: undefined });
    expect((await server.inject({ url: '/.well-known/oauth-protected-resource/mcp' })).statusCode).toBe(404);
  });
});

describe('HTTP surface', () => {
  it('GET /health is anonymous', async () => {
    const server = await app();
    const response = await server.inject({ url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'healthy' });
  });

  it('a body over 4 MiB is 413 with a JSON-RPC error, not 500', async () => {
    const server = await app();
    const big = JSON.stringify({ ...initializeRequest(), padding: 'x'.repeat(4 * 1024 * 1024) });
    const response = await mcp(server, { token: await fake.mintToken(fake.principals.alice), body: big });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ jsonrpc: '2.0', error: { code: -32600, message: 'Request body too large: the limit is 4194304 bytes (4 MiB).' }, id: null });
  });

  it('an anonymous oversized body is refused as 401 before it is read', async () => {
    const server = await app();
    const response = await mcp(server, { body: 'x'.repeat(5 * 1024 * 1024) });
    expect(response.statusCode).toBe(401);
  });

  it('malformed JSON is 400 with JSON-RPC -32700, not 500', async () => {
    const server = await app();
    const token = await fake.mintToken(fake.principals.alice);
    for (const body of ['{"jsonrpc":"2.0",', '']) {
      const response = await mcp(server, { token, body });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: the request body is not valid JSON.' }, id: null });
    }
  });

  it('a JSON body that is not JSON-RPC is 400 from the MCP SDK', async () => {
    const server = await app();
    const response = await mcp(server, { token: await fake.mintToken(fake.principals.alice), body: { hello: 'world' } });
    expect(response.statusCode).toBe(400);
  });

  describe('DNS rebinding protection on a loopback bind', () => {
    it('refuses a foreign Host with 403', async () => {
      const server = await app();
      const response = await mcp(server, { token: await fake.mintToken(fake.principals.alice), headers: { host: 'evil.example:8080' } });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.message).toContain("Host 'evil.example:8080' is not allowed");
      expect((await server.inject({ url: '/health', headers: { host: 'evil.example' } })).statusCode).toBe(403);
    });

    it('refuses a foreign Origin with 403 and accepts loopback ones, with CORS headers on the hijacked MCP answer', async () => {
      const server = await app();
      const token = await fake.mintToken(fake.principals.alice);
      const foreign = await mcp(server, { token, headers: { origin: 'https://evil.example' } });
      expect(foreign.statusCode).toBe(403);
      expect(foreign.json().error.message).toContain("Origin 'https://evil.example' is not allowed");

      const local = await mcp(server, { token, headers: { origin: 'http://localhost:6274' } });
      expect(local.statusCode).toBe(200);
      expect(local.headers['access-control-allow-origin']).toBe('http://localhost:6274');
      expect(String(local.headers['access-control-expose-headers'])).toContain('Mcp-Session-Id');
    });

    it('accepts loopback host names with any port', async () => {
      const server = await app();
      for (const host of ['localhost:8080', '127.0.0.1:1234', '[::1]:80', 'localhost']) {
        expect((await server.inject({ url: '/health', headers: { host } })).statusCode, host).toBe(200);
      }
    });

    it('does not apply on a non-loopback bind (a proxy owns the host name)', async () => {
      const server = await app({ host: '0.0.0.0' });
      const response = await mcp(server, { token: await fake.mintToken(fake.principals.alice), headers: { host: 'mcp.contoso.com', origin: 'https://vscode.dev' } });
      expect(response.statusCode).toBe(200);
      expect(response.headers['access-control-allow-origin']).toBe('*');
    });
  });

  it('a CORS preflight for /mcp needs no token and allows the MCP headers', async () => {
    const server = await app({ host: '0.0.0.0' });
    const response = await server.inject({
      method: 'OPTIONS',
      url: '/mcp',
      headers: { origin: 'https://vscode.dev', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,mcp-session-id' },
    });
    expect(response.statusCode).toBe(204);
    expect(String(response.headers['access-control-allow-headers'])).toContain('Mcp-Session-Id');
  });
});

describe('per-caller rate limit', () => {
  it('answers 429 with Retry-After once a caller exceeds the limit; other callers are unaffected', async () => {
    const server = await app({ maxRequestsPerMinutePerCaller: 3 });
    const alice = await fake.mintToken(fake.principals.alice);
    const bob = await fake.mintToken(fake.principals.bob);
    // Refused anonymous requests do not count against anyone.
    expect((await mcp(server, {})).statusCode).toBe(401);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await mcp(server, { token: alice })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);

    const limited = await mcp(server, { token: await fake.mintToken(fake.principals.alice) });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toEqual({ jsonrpc: '2.0', error: { code: -32000, message: expect.stringMatching(/^Rate limit exceeded: at most 3 requests per minute per caller; retry in /) }, id: null });

    expect((await mcp(server, { token: bob })).statusCode).toBe(200);
  });

  it('is off with AzureMcp__MaxRequestsPerMinutePerCaller=0', async () => {
    const server = await app({ maxRequestsPerMinutePerCaller: 0 });
    const token = await fake.mintToken(fake.principals.alice);
    const response = await mcp(server, { token });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-ratelimit-limit']).toBeUndefined();
  });
});

describe('per-address limit on requests failing authentication', () => {
  it('answers 429 with Retry-After once an address exceeds it; valid tokens from that address and other addresses are unaffected', async () => {
    let clock = 1_000_000;
    const server = await app({ maxUnauthenticatedRequestsPerMinutePerIp: 3, maxRequestsPerMinutePerCaller: 2 }, { now: () => clock });
    const forged = await fake.mintToken(fake.principals.alice, {}, { key: 'unknown' });
    const statuses = [];
    for (const token of [undefined, forged, undefined]) statuses.push((await mcp(server, { token })).statusCode);
    expect(statuses).toEqual([401, 401, 401]);

    clock += 30_000;
    for (const token of [undefined, forged]) {
      const limited = await mcp(server, { token });
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe('30');
      expect(limited.headers['www-authenticate']).toBeUndefined();
      expect(limited.json()).toEqual({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Rate limit exceeded: at most 3 requests per minute from one address may fail authentication; retry in 30 seconds with a valid bearer token.' },
        id: null,
      });
    }

    // Signed-in callers keep their own per-caller limit, whatever their address sent.
    const alice = await fake.mintToken(fake.principals.alice);
    expect([(await mcp(server, { token: alice })).statusCode, (await mcp(server, { token: alice })).statusCode, (await mcp(server, { token: alice })).statusCode]).toEqual([200, 200, 429]);
    expect((await mcp(server, { remoteAddress: '10.0.0.2' })).statusCode).toBe(401);

    clock += 30_000;
    expect((await mcp(server, {})).statusCode).toBe(401);
  });

  it('is off with AzureMcp__MaxUnauthenticatedRequestsPerMinutePerIp=0', async () => {
    const server = await app({ maxUnauthenticatedRequestsPerMinutePerIp: 0 });
    for (let i = 0; i < 5; i++) expect((await mcp(server, {})).statusCode).toBe(401);
  });

  it('keeps a bounded number of addresses, forgetting the oldest', () => {
    const limit = new FailedAuthLimit(1, () => 0, 2);
    for (const address of ['a', 'b', 'c', 'd']) expect(limit.count(address)).toBeUndefined();
    expect(limit.trackedAddresses).toBe(2);
    expect(limit.count('d')).toEqual({ retryAfterSeconds: 60, first: true });
    expect(limit.count('a')).toBeUndefined();
  });
});

describe('stateful sessions', () => {
  it('a request without a session that is not initialize is 400; an unknown session is 404', async () => {
    const server = await app();
    const token = await fake.mintToken(fake.principals.alice);
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
    expect((await mcp(server, { token, body: list })).statusCode).toBe(400);
    const unknown = await mcp(server, { token, session: 'no-such-session', body: list });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe(-32001);
  });

  it("belongs to the caller who opened it: another caller cannot use its id", async () => {
    const server = await app();
    const alice = await fake.mintToken(fake.principals.alice);
    const session = await openSession(server, alice);
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
    expect((await mcp(server, { token: alice, session, body: list })).statusCode).toBe(200);
    expect((await mcp(server, { token: await fake.mintToken(fake.principals.bob), session, body: list })).statusCode).toBe(404);
  });

  it('at most AzureMcp__MaxSessions are open; DELETE frees a slot', async () => {
    const server = await app({ maxSessions: 1 });
    const token = await fake.mintToken(fake.principals.alice);
    const session = await openSession(server, token);
    const full = await mcp(server, { token });
    expect(full.statusCode).toBe(503);
    expect(full.headers['retry-after']).toBe('30');

    expect((await mcp(server, { token, session, method: 'DELETE' })).statusCode).toBe(200);
    expect(server.mcpSessions?.size).toBe(0);
    expect((await mcp(server, { token })).statusCode).toBe(200);
  });

  it('one caller holds at most AzureMcp__MaxSessionsPerCaller: one more closes its least recently used, and others still get in', async () => {
    let clock = 1_000_000;
    const server = await app({ maxSessions: 3, maxSessionsPerCaller: 2 }, { now: () => clock++ });
    const alice = await fake.mintToken(fake.principals.alice);
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
    const first = await openSession(server, alice);
    const second = await openSession(server, alice);
    expect((await mcp(server, { token: alice, session: first, body: list })).statusCode).toBe(200);

    const third = await openSession(server, alice);
    expect(server.mcpSessions?.size).toBe(2);
    const evicted = await mcp(server, { token: alice, session: second, body: list });
    expect(evicted.statusCode).toBe(404);
    expect(evicted.json().error.message).toMatch(/^Session not found/);
    for (const session of [first, third]) expect((await mcp(server, { token: alice, session, body: list })).statusCode).toBe(200);

    const bob = await fake.mintToken(fake.principals.bob);
    const bobs = await openSession(server, bob);
    expect(server.mcpSessions?.size).toBe(3);
    // The server is full, yet Alice (at her own cap) replaces one of hers; a third caller waits.
    await openSession(server, alice);
    expect((await mcp(server, { token: alice, session: first, body: list })).statusCode).toBe(404);
    expect((await mcp(server, { token: bob, session: bobs, body: list })).statusCode).toBe(200);
    expect((await mcp(server, { token: await fake.mintToken(fake.principals.appCaller) })).statusCode).toBe(503);
  });

  it('without incoming auth there is one caller, so the per-caller cap does not apply', async () => {
    const server = await app({ incomingAuth: false, auth: undefined, maxSessionsPerCaller: 1 });
    await openSession(server);
    await openSession(server);
    expect(server.mcpSessions?.size).toBe(2);
  });

  it('an idle session expires; its id is then unknown', async () => {
    let clock = 1_000_000;
    const server = await app({ sessionIdleTimeoutSeconds: 60 }, { now: () => clock });
    const token = await fake.mintToken(fake.principals.alice);
    const session = await openSession(server, token);
    clock += 59_000;
    expect(await server.mcpSessions!.sweep()).toBe(0);
    clock += 2_000;
    expect(await server.mcpSessions!.sweep()).toBe(1);
    expect((await mcp(server, { token, session, body: { jsonrpc: '2.0', id: 2, method: 'tools/list' } })).statusCode).toBe(404);
  });

  it('a failed initialize does not hold a session slot', async () => {
    const server = await app({ maxSessions: 1 });
    const token = await fake.mintToken(fake.principals.alice);
    const bad = await mcp(server, { token, body: { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} } });
    expect(bad.statusCode).toBe(400);
    expect(server.mcpSessions?.size).toBe(0);
    expect((await mcp(server, { token })).statusCode).toBe(200);
  });
});

describe('--stateless', () => {
  it('gives no session id, serves any request without one, and refuses GET/DELETE with 405', async () => {
    const server = await app({ stateless: true });
    const token = await fake.mintToken(fake.principals.alice);
    const init = await mcp(server, { token });
    expect(init.statusCode).toBe(200);
    expect(init.headers['mcp-session-id']).toBeUndefined();

    const list = await mcp(server, { token, body: { jsonrpc: '2.0', id: 2, method: 'tools/list' } });
    expect(list.statusCode).toBe(200);
    expect(rpcMessages(list.payload)[0]?.result?.tools?.map((t: { name: string }) => t.name)).toEqual(['caller_echo']);

    const { caller } = await callCallerEcho(server, token, undefined);
    expect(caller).toMatchObject({ kind: 'user', oid: fake.principals.alice.oid });

    for (const method of ['GET', 'DELETE'] as const) {
      const response = await mcp(server, { token, method });
      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe('POST');
    }
  });
});

describe('request logs', () => {
  it('never contain a token, and redact query-string values', async () => {
    const log = memoryLogger();
    const server = await app({}, { logger: log.logger });
    const tokens = [
      await fake.mintToken(fake.principals.alice),
      await fake.mintToken(fake.principals.alice, { aud: 'https://management.azure.com' }),
      await fake.mintToken(fake.principals.alice, { scp: 'User.Read' }),
    ];
    for (const token of tokens) await mcp(server, { token });
    await mcp(server, { url: `/mcp?access_token=${tokens[0]}&code=secret-code` });
    await mcp(server, { headers: { authorization: tokens[0]! } });

    const text = log.text();
    for (const token of tokens) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.split('.')[2]);
    }
    expect(text).not.toContain('secret-code');
    expect(text).toContain('"url":"/mcp?access_token=[redacted]&code=[redacted]"');
    expect(text).toContain(`"caller":"${fake.principals.alice.oid}"`);
  });
});
