/**
 * One remote server, several users: each reaches Azure as themselves through on-behalf-of. Asserted from
 * what the users see, and from what the fake Entra, ARM and Graph recorded.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SUBSCRIPTIONS } from '../fakes/defaults.js';
import { startFakeAzure, type FakeAzure } from '../fakes/index.js';
import type { HttpServerHandle } from '../support/http-server.js';
import { connectAs, oboEnv, refusedConnections, resultText, startOboServer, subscriptionNames, type CallerSession } from '../support/obo-server.js';

const S = DEFAULT_SUBSCRIPTIONS;
const ALICE_SUBSCRIPTIONS = [S.contosoDev, S.contosoSandbox, S.contosoTest].map((s) => s.displayName).sort();
const BOB_SUBSCRIPTIONS = [S.contosoProd, S.contosoShared].map((s) => s.displayName).sort();

let fake: FakeAzure;
let server: HttpServerHandle;
let alice: CallerSession;
let bob: CallerSession;

beforeAll(async () => {
  fake = await startFakeAzure();
  // Dozens of tool calls per user in this file: the per-caller rate limit is not what is under test.
  server = await startOboServer(fake, { env: oboEnv(fake, undefined, { AzureMcp__MaxRequestsPerMinutePerCaller: '0' }) });
});
afterAll(async () => {
  await Promise.all([alice?.close(), bob?.close()]);
  await server?.stop();
  await fake?.close();
});
beforeEach(async () => {
  // Fresh sessions with fresh incoming tokens: exchange counts start from zero.
  await Promise.all([alice?.close(), bob?.close()]);
  fake.state.reset();
  fake.state.clearObo();
  [alice, bob] = await Promise.all([connectAs(server, fake, fake.principals.alice), connectAs(server, fake, fake.principals.bob)]);
});

describe('on-behalf-of over HTTP, two users on one server', () => {
  it('each user sees exactly their own subscriptions, every page', async () => {
    const [a, b] = await Promise.all([alice.call('subscription_list'), bob.call('subscription_list')]);
    expect(a.isError).toBeFalsy();
    expect(b.isError).toBeFalsy();
    expect(subscriptionNames(a)).toEqual(ALICE_SUBSCRIPTIONS);
    expect(subscriptionNames(b)).toEqual(BOB_SUBSCRIPTIONS);

    // Three subscriptions at two per page: alice's listing needed a second page, fetched as alice.
    const aliceListing = fake.state.requests({ service: 'arm', path: /^\/subscriptions$/, oid: fake.principals.alice.oid });
    expect(aliceListing.length).toBe(2);
    expect(aliceListing.some((r) => r.query.includes('skiptoken') || r.query.includes('$skip'))).toBe(true);
  });

  it('40 interleaved concurrent calls never cross identities', async () => {
    const calls = Array.from({ length: 40 }, (_, i) => {
      const [who, session, expected] = i % 2 === 0 ? (['alice', alice, ALICE_SUBSCRIPTIONS] as const) : (['bob', bob, BOB_SUBSCRIPTIONS] as const);
      return session.call('subscription_list').then((result) => ({ who, result, expected }));
    });
    for (const { who, result, expected } of await Promise.all(calls)) {
      expect(result.isError, `${who}: ${resultText(result)}`).toBeFalsy();
      expect(subscriptionNames(result), who).toEqual(expected);
    }
    // Every ARM request carried the token of one of the two users, and each user's listings were theirs.
    const arm = fake.state.requests({ service: 'arm' });
    expect(arm.length).toBeGreaterThanOrEqual(40);
    expect(new Set(arm.map((r) => r.principal?.oid))).toEqual(new Set([fake.principals.alice.oid, fake.principals.bob.oid]));
  });

  it('costs one exchange per user per resource, however many calls', async () => {
    for (let i = 0; i < 5; i++) {
      await Promise.all([alice.call('subscription_list'), bob.call('subscription_list'), alice.call('group_list', { subscription: 'Contoso Dev' })]);
    }
    await Promise.all([alice.call('identity_whoami'), alice.call('identity_whoami'), bob.call('identity_whoami')]);

    const count = (oid: string, resource: string) => fake.state.tokenRequests({ grantType: 'obo', assertionOid: oid, scope: resource }).length;
    const { alice: a, bob: b } = fake.principals;
    expect({
      aliceArm: count(a.oid, fake.armAudience),
      aliceGraph: count(a.oid, fake.graphAudience),
      bobArm: count(b.oid, fake.armAudience),
      bobGraph: count(b.oid, fake.graphAudience),
      all: fake.state.tokenRequests().length,
    }).toEqual({ aliceArm: 1, aliceGraph: 1, bobArm: 1, bobGraph: 1, all: 4 });
  });

  it("never forwards a caller's token to ARM or Graph: only exchanged tokens, issued to the server app", async () => {
    await Promise.all([alice.call('subscription_list'), bob.call('identity_whoami'), alice.call('group_resource_list', { subscription: S.contosoDev.subscriptionId, 'resource-group': 'rg-dev-app' })]);
    const downstream = [...fake.state.requests({ service: 'arm' }), ...fake.state.requests({ service: 'graph' })];
    expect(downstream.length).toBeGreaterThan(0);
    for (const record of downstream) {
      expect(record.authorization).toMatch(/^Bearer /);
      expect(record.authorization).not.toContain(alice.token);
      expect(record.authorization).not.toContain(bob.token);
      const claims = JSON.parse(Buffer.from(record.authorization!.slice(7).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      expect(claims.azp).toBe(fake.clients.serverApp.clientId);
      expect(claims.aud).toBe(record.service === 'arm' ? fake.armAudience : fake.graphAudience);
    }
    // The incoming tokens went to Entra only, as the on-behalf-of assertion.
    const exchanges = fake.state.tokenRequests({ grantType: 'obo' });
    expect(new Set(exchanges.map((r) => r.assertionOid))).toEqual(new Set([fake.principals.alice.oid, fake.principals.bob.oid]));
    expect(fake.state.tokenRequests().every((r) => r.flow === 'on_behalf_of' && r.clientId === fake.clients.serverApp.clientId)).toBe(true);
  });

  it("one user cannot reach another's subscription, by id or by name", async () => {
    const byId = await alice.call('group_list', { subscription: S.contosoProd.subscriptionId });
    expect(byId.isError).toBe(true);
    expect(resultText(byId)).toMatch(/^AZMCP_ACCESS_DENIED/);

    const byName = await alice.call('group_list', { subscription: S.contosoProd.displayName });
    expect(byName.isError).toBe(true);
    expect(resultText(byName)).toMatch(/^AZMCP_NOT_FOUND/);
    // The hint lists what alice can see, and nothing of bob's.
    expect(resultText(byName)).toContain('Contoso Dev');
    expect(resultText(byName)).not.toContain(S.contosoShared.displayName);

    const own = await bob.call('group_list', { subscription: S.contosoProd.displayName });
    expect(own.isError).toBeFalsy();
  });

  it('identity_whoami returns Microsoft Graph /me of the caller', async () => {
    const [a, b] = await Promise.all([alice.call('identity_whoami'), bob.call('identity_whoami')]);
    expect(a.structuredContent).toEqual({
      strategy: 'UseOnBehalfOf',
      actingAs: 'caller',
      principal: { objectId: fake.principals.alice.oid, tenantId: fake.tenantId, displayName: 'Alice Smith', userPrincipalName: 'alice@contoso.onmicrosoft.com', type: 'user' },
    });
    expect(b.structuredContent).toMatchObject({ actingAs: 'caller', principal: { objectId: fake.principals.bob.oid, displayName: 'Bob Jones' } });
    expect(fake.state.requests({ service: 'graph', path: '/v1.0/me' }).map((r) => r.principal?.oid).sort()).toEqual(
      [fake.principals.alice.oid, fake.principals.bob.oid].sort(),
    );
  });

  it("refuses a tenant other than the caller's, and keeps serving", async () => {
    for (const tenant of [fake.tenant2Id, 'Fabrikam', 'fabrikam.onmicrosoft.com']) {
      const result = await alice.call('subscription_list', { tenant });
      expect(result.isError, tenant).toBe(true);
      expect(resultText(result)).toMatch(/^AZMCP_TENANT_MISMATCH/);
      expect(resultText(result)).toContain(fake.tenantId);
    }
    const own = await alice.call('subscription_list', { tenant: 'Contoso' });
    expect(subscriptionNames(own)).toEqual(ALICE_SUBSCRIPTIONS);
  });

  it('consent missing (AADSTS65001) is an error result saying how to grant it; others keep working', async () => {
    fake.state.failObo(fake.principals.bob.oid, 'AADSTS65001');
    const [b, a] = await Promise.all([bob.call('subscription_list'), alice.call('subscription_list')]);
    expect(b.isError).toBe(true);
    const text = resultText(b);
    expect(text).toMatch(/^AZMCP_CONSENT_REQUIRED/);
    expect(text).toContain('AADSTS65001');
    expect(text).toContain(fake.clients.serverApp.clientId);
    expect(text).toContain('Grant admin consent');
    expect(text).toContain('user_impersonation');
    expect(subscriptionNames(a)).toEqual(ALICE_SUBSCRIPTIONS);

    fake.state.clearObo();
    expect(subscriptionNames(await bob.call('subscription_list'))).toEqual(BOB_SUBSCRIPTIONS);
  });

  it('an unreachable token endpoint is an error result, and the next call exchanges again', async () => {
    fake.state.injectFailures('entra', /\/token$/, [{ status: 0, reset: true }]);
    const failed = await alice.call('subscription_list');
    expect(failed.isError).toBe(true);
    expect(resultText(failed)).toMatch(/^AZMCP_TOKEN_ENDPOINT_UNREACHABLE/);
    expect(subscriptionNames(await alice.call('subscription_list'))).toEqual(ALICE_SUBSCRIPTIONS);
  });

  it('app-only callers are refused before any exchange, with the option that serves them', async () => {
    const app = await connectAs(server, fake, { ...fake.principals.appCaller, appId: fake.clients.appCaller.clientId });
    try {
      for (const tool of ['subscription_list', 'identity_whoami']) {
        const result = await app.call(tool);
        expect(result.isError, tool).toBe(true);
        expect(resultText(result)).toMatch(/^AZMCP_APP_ONLY_CALLER/);
        expect(resultText(result)).toContain('--app-only-caller-strategy UseHostingEnvironmentIdentity');
      }
      expect(fake.state.tokenRequests()).toHaveLength(0);
    } finally {
      await app.close();
    }
  });

  it('nothing left loopback', () => {
    expect(refusedConnections(server)).toEqual([]);
  });
});
