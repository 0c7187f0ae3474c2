/**
 * The on-behalf-of provider with the real MSAL against the fake Entra over HTTPS: whose token comes back,
 * how many exchanges it costs, and what a caller sees when it cannot work.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRequestContext } from '../../src/context/request-context.js';
import type { AzureTokenCredentialProvider } from '../../src/credentials/provider.js';
import { AzmcpError } from '../../src/errors/azmcp-error.js';
import { startFakeAzure, type FakeAzure } from '../fakes/index.js';
import { armScope, callerFrom, contextFor, graphScope, oboProvider, silentLogger } from './support/obo.js';

let fake: FakeAzure;
beforeAll(async () => {
  fake = await startFakeAzure();
});
afterAll(() => fake?.close());
beforeEach(() => {
  fake.state.reset();
  fake.state.clearObo();
});

const exchanges = (filter: { assertionOid?: string; scope?: string } = {}) => fake.state.tokenRequests({ grantType: 'obo', ...filter }).length;

async function failure(promise: Promise<unknown>): Promise<AzmcpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AzmcpError);
  return error as AzmcpError;
}

describe('on-behalf-of provider', () => {
  it("exchanges the caller's token for an ARM token of that caller; the incoming token is only the assertion", async () => {
    const provider = oboProvider(fake);
    const ctx = await contextFor(fake, fake.principals.alice);
    const credential = await provider.getCredential(ctx);
    const token = await credential.getToken(armScope(fake));

    expect(token?.token).toBeTruthy();
    expect(token!.token).not.toBe(ctx.caller!.token);
    const claims = decodeJwt(token!.token);
    expect(claims).toMatchObject({ oid: fake.principals.alice.oid, tid: fake.tenantId, aud: fake.armAudience, azp: fake.clients.serverApp.clientId });

    const [exchange] = fake.state.tokenRequests({ grantType: 'obo' });
    expect(exchange).toMatchObject({ clientId: fake.clients.serverApp.clientId, clientAuth: 'secret', assertionOid: fake.principals.alice.oid, tenant: fake.tenantId });

    const subscriptions = await fake.request(`${fake.armUrl}/subscriptions?api-version=2022-12-01`, { headers: { authorization: `Bearer ${token!.token}` } });
    const names = subscriptions.json<{ value: Array<{ displayName: string }> }>().value.map((s) => s.displayName);
    expect(names).toContain('Contoso Dev');
    expect(names).not.toContain('Contoso Prod');
  });

  it('costs one exchange per user per resource, however many calls and credentials, sequential or concurrent', async () => {
    const provider = oboProvider(fake);
    const alice = await contextFor(fake, fake.principals.alice);
    const bob = await contextFor(fake, fake.principals.bob);
    const calls: Array<Promise<{ who: string; oid: unknown; aud: unknown }>> = [];
    for (let i = 0; i < 40; i++) {
      const ctx = i % 2 === 0 ? alice : bob;
      const scope = i % 4 < 2 ? armScope(fake) : graphScope(fake);
      calls.push(
        provider
          .getCredential(createRequestContext({ logger: silentLogger(), caller: ctx.caller! }))
          .then((c) => c.getToken(scope))
          .then((t) => {
            const claims = decodeJwt(t!.token);
            return { who: ctx.caller!.oid, oid: claims.oid, aud: claims.aud };
          }),
      );
    }
    const results = await Promise.all(calls);
    for (const r of results) expect(r.oid).toBe(r.who);
    for (let i = 0; i < 10; i++) await (await provider.getCredential(alice)).getToken(armScope(fake));

    const { alice: a, bob: b } = fake.principals;
    expect({
      aliceArm: exchanges({ assertionOid: a.oid, scope: fake.armAudience }),
      aliceGraph: exchanges({ assertionOid: a.oid, scope: fake.graphAudience }),
      bobArm: exchanges({ assertionOid: b.oid, scope: fake.armAudience }),
      bobGraph: exchanges({ assertionOid: b.oid, scope: fake.graphAudience }),
      total: exchanges(),
    }).toEqual({ aliceArm: 1, aliceGraph: 1, bobArm: 1, bobGraph: 1, total: 4 });
  });

  it('a new incoming token for the same user is a new assertion, so it is exchanged once more', async () => {
    const provider = oboProvider(fake);
    const first = await contextFor(fake, fake.principals.alice);
    const second = await contextFor(fake, fake.principals.alice);
    await (await provider.getCredential(first)).getToken(armScope(fake));
    await (await provider.getCredential(second)).getToken(armScope(fake));
    await (await provider.getCredential(first)).getToken(armScope(fake));
    expect(exchanges({ assertionOid: fake.principals.alice.oid })).toBe(2);
  });

  it('a claims challenge bypasses the cached token and replaces it', async () => {
    const provider = oboProvider(fake);
    const credential = await provider.getCredential(await contextFor(fake, fake.principals.alice));
    const first = await credential.getToken(armScope(fake));
    const claims = JSON.stringify({ access_token: { nbf: { essential: true, value: String(Math.floor(Date.now() / 1000)) } } });
    const renewed = await credential.getToken(armScope(fake), { claims });
    expect(renewed!.token).not.toBe(first!.token);
    await expect(credential.getToken(armScope(fake))).resolves.toEqual(renewed);
    expect(exchanges({ assertionOid: fake.principals.alice.oid })).toBe(2);
  });

  it('fails closed without a caller, and never asks Entra', async () => {
    const provider = oboProvider(fake);
    const error = await failure(provider.getCredential(createRequestContext({ logger: silentLogger() })));
    expect(error.code).toBe('AZMCP_NO_CALLER_IDENTITY');
    expect(error.describe()).toMatch(/never falls back to its own identity/);
    expect(fake.state.tokenRequests()).toHaveLength(0);
  });

  it("refuses a tenant other than the caller's, naming both", async () => {
    const provider = oboProvider(fake);
    const ctx = await contextFor(fake, fake.principals.alice);
    const error = await failure(provider.getCredential(ctx, fake.tenant2Id));
    expect(error.code).toBe('AZMCP_TENANT_MISMATCH');
    expect(error.message).toContain(fake.tenantId);
    expect(error.message).toContain(fake.tenant2Id);
    await expect(provider.getCredential(ctx, fake.tenantId.toUpperCase())).resolves.toBeDefined();
    expect(fake.state.tokenRequests()).toHaveLength(0);
  });

  it('refuses app-only callers by default, and hands them to the hosting identity when configured', async () => {
    const appCaller = fake.principals.appCaller;
    const ctx = await contextFor(fake, { ...appCaller, appId: fake.clients.appCaller.clientId });
    const refused = await failure(oboProvider(fake).getCredential(ctx));
    expect(refused.code).toBe('AZMCP_APP_ONLY_CALLER');
    expect(refused.describe()).toContain('--app-only-caller-strategy UseHostingEnvironmentIdentity');

    const hostToken = { token: 'host-token', expiresOnTimestamp: Date.now() + 3_600_000 };
    const hosting: AzureTokenCredentialProvider = {
      strategy: 'UseHostingEnvironmentIdentity',
      getCredential: async () => ({ getToken: async () => hostToken }),
    };
    const served = await oboProvider(fake, undefined, { appOnlyCallers: hosting }).getCredential(ctx);
    await expect(served.getToken(armScope(fake))).resolves.toBe(hostToken);
    expect(fake.state.tokenRequests({ grantType: 'obo' })).toHaveLength(0);
  });

  it('consent missing (AADSTS65001) says so and how to grant it; the next call after consent works', async () => {
    const provider = oboProvider(fake);
    const ctx = await contextFor(fake, fake.principals.bob);
    fake.state.failObo(fake.principals.bob.oid, 'AADSTS65001');
    const error = await failure((await provider.getCredential(ctx)).getToken(graphScope(fake)));
    expect(error.code).toBe('AZMCP_CONSENT_REQUIRED');
    expect(error.message).toContain(fake.clients.serverApp.clientId);
    expect(error.message).toContain(fake.graphAudience);
    expect(error.describe()).toContain('Grant admin consent');
    expect(error.describe()).toContain(`adminconsent?client_id=${fake.clients.serverApp.clientId}`);

    fake.state.clearObo();
    const token = await (await provider.getCredential(ctx)).getToken(graphScope(fake));
    expect(decodeJwt(token!.token).oid).toBe(fake.principals.bob.oid);
  });

  it('MFA or Conditional Access (AADSTS50076, AADSTS53003) asks the user to sign in again and satisfy it', async () => {
    const provider = oboProvider(fake);
    for (const code of ['AADSTS50076', 'AADSTS53003']) {
      fake.state.failObo(fake.principals.alice.oid, code, { times: 1 });
      const error = await failure((await provider.getCredential(await contextFor(fake, fake.principals.alice))).getToken(armScope(fake)));
      expect(error.code).toBe('AZMCP_AUTHENTICATION_FAILED');
      expect(error.message).toContain(code);
      expect(error.describe()).toMatch(/Conditional Access/);
    }
  });

  it('an assertion Entra cannot verify (AADSTS50013) asks the caller to sign in again', async () => {
    const provider = oboProvider(fake);
    const ctx = await contextFor(fake, fake.principals.alice, undefined);
    const forged = callerFrom(await fake.mintToken(fake.principals.alice, {}, { key: 'unknown' }));
    const error = await failure((await provider.getCredential({ ...ctx, caller: forged })).getToken(armScope(fake)));
    expect(error.code).toBe('AZMCP_INVALID_ASSERTION');
    expect(error.message).toContain('AADSTS50013');
    expect(error.describe()).toMatch(/Sign in again/);
  });

  it('an app token that reaches Entra anyway (AADSTS7000114) is reported as an app-only caller', async () => {
    const provider = oboProvider(fake);
    const appToken = await fake.mintToken({ ...fake.principals.appCaller, appId: fake.clients.appCaller.clientId });
    const ctx = createRequestContext({ logger: silentLogger(), caller: { ...callerFrom(appToken), kind: 'user' } });
    const error = await failure((await provider.getCredential(ctx)).getToken(armScope(fake)));
    expect(error.code).toBe('AZMCP_APP_ONLY_CALLER');
    expect(error.message).toContain('AADSTS7000114');
  });

  it("a wrong client secret blames the server's own credential and names the settings", async () => {
    const provider = oboProvider(fake, { SourceType: 'ClientSecret', ClientSecret: 'not-the-secret' });
    const error = await failure((await provider.getCredential(await contextFor(fake, fake.principals.alice))).getToken(armScope(fake)));
    expect(error.code).toBe('AZMCP_AUTHENTICATION_FAILED');
    expect(error.message).toContain('AADSTS7000215');
    expect(error.describe()).toContain('AzureAd__ClientCredentials__0__');
  });

  it('an unreachable token endpoint is reported as such, and the provider recovers when it is back', async () => {
    const closed = oboProvider(fake, undefined, { instance: 'https://127.0.0.1:1/' });
    const error = await failure((await closed.getCredential(await contextFor(fake, fake.principals.alice))).getToken(armScope(fake)));
    expect(error.code).toBe('AZMCP_TOKEN_ENDPOINT_UNREACHABLE');
    expect(error.message).toContain('https://127.0.0.1:1/');

    const provider = oboProvider(fake);
    const ctx = await contextFor(fake, fake.principals.alice);
    fake.state.injectFailures('entra', /\/token$/, [{ status: 0, reset: true }]);
    const reset = await failure((await provider.getCredential(ctx)).getToken(armScope(fake)));
    expect(reset.code).toBe('AZMCP_TOKEN_ENDPOINT_UNREACHABLE');
    const token = await (await provider.getCredential(ctx)).getToken(armScope(fake));
    expect(decodeJwt(token!.token).oid).toBe(fake.principals.alice.oid);
  });
});

describe('on-behalf-of provider, bounded', () => {
  /** Until the fake Entra has received this many exchanges (it logs a request before any injected delay). */
  const exchangesReach = (count: number) => vi.waitFor(() => expect(exchanges()).toBe(count), { timeout: 10_000 });

  it('a waiter whose signal aborts stops at once; the shared exchange goes on for the others and is kept', async () => {
    const provider = oboProvider(fake);
    const credential = await provider.getCredential(await contextFor(fake, fake.principals.alice));
    const issued = await fake.mintToken(fake.principals.alice, { aud: fake.armAudience, azp: fake.clients.serverApp.clientId });
    fake.state.injectFailures('entra', /\/token$/, [
      { status: 200, body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: issued }, delayMs: 1_500 },
    ]);

    const controller = new AbortController();
    const leaving = credential.getToken(armScope(fake), { abortSignal: controller.signal });
    let stayed = false;
    const staying = credential.getToken(armScope(fake)).then((token) => {
      stayed = true;
      return token;
    });
    await exchangesReach(1);
    controller.abort();
    await expect(leaving).rejects.toMatchObject({ name: 'AbortError' });
    expect(stayed).toBe(false);

    await expect(staying).resolves.toMatchObject({ token: issued });
    await expect(credential.getToken(armScope(fake))).resolves.toMatchObject({ token: issued });
    await expect(credential.getToken(armScope(fake), { abortSignal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(exchanges()).toBe(1);
  });

  it('a stuck exchange is joined only for a while: a later call starts its own instead of waiting on it', async () => {
    let clock = Date.now();
    const provider = oboProvider(fake, undefined, { now: () => clock });
    const credential = await provider.getCredential(await contextFor(fake, fake.principals.alice));
    // Entra takes the request and never answers (until the fake closes, long after this test).
    fake.state.injectFailures('entra', /\/token$/, [{ status: 0, reset: true, delayMs: 120_000 }]);
    credential.getToken(armScope(fake)).catch(() => undefined);
    await exchangesReach(1);

    clock += 29_000;
    const controller = new AbortController();
    const joined = credential.getToken(armScope(fake), { abortSignal: controller.signal });
    clock += 2_000;
    const token = await credential.getToken(armScope(fake));
    expect(decodeJwt(token!.token).oid).toBe(fake.principals.alice.oid);
    await expect(credential.getToken(armScope(fake))).resolves.toEqual(token);
    expect(exchanges()).toBe(2);

    // The call within the bound joined the stuck exchange, and is still waiting on it until it gives up.
    controller.abort();
    await expect(joined).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('keeps at most cacheSize exchanges, dropping the oldest first', async () => {
    const provider = oboProvider(fake, undefined, { cacheSize: 2 });
    // A user whose client keeps fetching new incoming tokens: each is a new assertion, so a new entry.
    const [first, second, third] = await Promise.all([1, 2, 3].map(() => contextFor(fake, fake.principals.alice)));
    const armToken = async (ctx: typeof first) => (await provider.getCredential(ctx!)).getToken(armScope(fake));
    for (const ctx of [first, second, third]) await armToken(ctx);
    expect(exchanges()).toBe(3);

    await armToken(third);
    await armToken(second);
    expect(exchanges()).toBe(3);
    await armToken(first);
    expect(exchanges()).toBe(4);
  });
});
