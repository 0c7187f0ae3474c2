/**
 * Self-tests of the fake Azure: protocol checks in-process, and the REAL @azure/identity / @azure/arm-* / jose
 * libraries driven against it from child processes (NODE_EXTRA_CA_CERTS is only read at process start).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SUBSCRIPTIONS as S, startFakeAzure, type FakeAzure } from './index.js';

const PROBE = fileURLToPath(new URL('./probes/real-libs.mjs', import.meta.url));

interface ProbeOutcome<T> {
  ok: boolean;
  result: T;
  error?: { name?: string; message: string; statusCode?: number; code?: string };
}

interface Claims {
  aud: string;
  oid: string;
  tid: string;
  appid?: string;
  idtyp?: string;
  scp?: string;
  name?: string;
  upn?: string;
  roles?: string[];
}

interface SubscriptionRow {
  subscriptionId: string;
  displayName: string;
  tenantId: string;
  state: string;
}

let fake: FakeAzure;

function probe<T>(scenario: string, config: Record<string, unknown>, env: Record<string, string> = {}): Promise<ProbeOutcome<T>> {
  const base = { entraUrl: fake.entraUrl, armUrl: fake.armUrl, graphUrl: fake.graphUrl, armAudience: fake.armAudience, graphAudience: fake.graphAudience, tokenExchangeAudience: fake.tokenExchangeAudience, tenantId: fake.tenantId };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', fake.loopbackGuardPath, PROBE, scenario],
      { env: fake.childEnv({ FAKE_PROBE: JSON.stringify({ ...base, ...config }), ...env }), timeout: 25_000 },
      (error, stdout, stderr) => {
        if (stderr.includes('LOOPBACK-GUARD')) {
          reject(new Error(`probe ${scenario} tried to leave loopback:\n${stderr}`));
          return;
        }
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(line) as ProbeOutcome<T>);
        } catch {
          reject(new Error(`probe ${scenario} failed: ${error?.message ?? ''}\nstdout: ${stdout}\nstderr: ${stderr}`));
        }
      },
    );
  });
}

function expectOk<T>(outcome: ProbeOutcome<T>): T {
  if (!outcome.ok) throw new Error(`probe failed: ${JSON.stringify(outcome.error)}`);
  return outcome.result;
}

const names = (subs: SubscriptionRow[]): string[] => subs.map((s) => s.displayName).sort();

beforeAll(async () => {
  fake = await startFakeAzure();
});

afterAll(async () => {
  await fake?.close();
});

beforeEach(() => {
  fake.state.reset();
  fake.state.resetData();
});

describe('fake Entra protocol', () => {
  it('serves v2 discovery, JWKS and the cloud file over HTTPS trusted by the test CA', async () => {
    const res = await fake.request(`${fake.entraUrl}/${fake.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const doc = res.json<Record<string, string>>();
    expect(doc.issuer).toBe(`${fake.entraUrl}/${fake.tenantId}/v2.0`);
    expect(doc.token_endpoint).toBe(`${fake.entraUrl}/${fake.tenantId}/oauth2/v2.0/token`);
    expect(doc.jwks_uri).toBe(`${fake.entraUrl}/${fake.tenantId}/discovery/v2.0/keys`);
    expect(doc.authorization_endpoint).toBeTruthy();

    // by domain name the endpoints use the tenant id, as Entra does
    const byDomain = (await fake.request(`${fake.entraUrl}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`)).json<Record<string, string>>();
    expect(byDomain.issuer).toBe(doc.issuer);
    const v1 = (await fake.request(`${fake.entraUrl}/${fake.tenantId}/.well-known/openid-configuration`)).json<Record<string, string>>();
    expect(v1.issuer).toBe(`https://sts.windows.net/${fake.tenantId}/`);
    expect((await fake.request(`${fake.entraUrl}/nope.example/v2.0/.well-known/openid-configuration`)).json<{ error_codes: number[] }>().error_codes).toEqual([90002]);

    const jwks = (await fake.request(doc.jwks_uri ?? '')).json<{ keys: Array<{ kid: string; kty: string; n: string; e: string }> }>();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', e: 'AQAB' });
    await fake.rotateSigningKey();
    const rotated = (await fake.request(`${fake.entraUrl}/discovery/v2.0/keys`)).json<{ keys: Array<{ kid: string }> }>();
    expect(rotated.keys.map((k) => k.kid)).toEqual([jwks.keys[0]?.kid, expect.any(String)]);

    const cloud = JSON.parse(await readFile(fake.cloudFile, 'utf8')) as Record<string, string>;
    expect(cloud).toEqual({
      name: 'FakeCloud',
      authorityHost: `${fake.entraUrl}/`,
      resourceManagerEndpoint: `${fake.armUrl}/`,
      resourceManagerAudience: 'https://management.azure.com',
      microsoftGraphEndpoint: `${fake.graphUrl}/`,
      microsoftGraphAudience: 'https://graph.microsoft.com',
    });
    expect(await readFile(fake.caCertPath, 'utf8')).toBe(fake.caCertPem);
  });

  it('answers token requests in Entra error shape and records them', async () => {
    const post = (body: Record<string, string>, tenant = fake.tenantId) =>
      fake.request(`${fake.entraUrl}/${tenant}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body).toString(),
      });
    const host = fake.clients.hostApp;
    const good = await post({ grant_type: 'client_credentials', client_id: host.clientId, client_secret: host.secret, scope: 'https://management.azure.com/.default' });
    expect(good.status).toBe(200);
    expect(good.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: expect.any(String) });

    const bad = await post({ grant_type: 'client_credentials', client_id: host.clientId, client_secret: 'wrong', scope: 'https://management.azure.com/.default' });
    expect(bad.status).toBe(401);
    const err = bad.json<Record<string, unknown>>();
    expect(err).toMatchObject({ error: 'invalid_client', error_codes: [7000215], trace_id: expect.any(String), correlation_id: expect.any(String), timestamp: expect.any(String) });
    expect(String(err.error_description)).toMatch(/^AADSTS7000215: Invalid client secret provided/);

    const unknownResource = await post({ grant_type: 'client_credentials', client_id: host.clientId, client_secret: host.secret, scope: 'https://vault.example/.default' });
    expect(unknownResource.json<{ error_codes: number[] }>().error_codes).toEqual([500011]);
    const noDefault = await post({ grant_type: 'client_credentials', client_id: host.clientId, client_secret: host.secret, scope: 'https://management.azure.com/user_impersonation' });
    expect(noDefault.json<{ error_codes: number[] }>().error_codes).toEqual([1002012]);
    const unknownClient = await post({ grant_type: 'client_credentials', client_id: '00000000-0000-4000-8000-000000000000', client_secret: 'x', scope: 'https://management.azure.com/.default' });
    expect(unknownClient.json<{ error: string; error_codes: number[] }>()).toMatchObject({ error: 'unauthorized_client', error_codes: [700016] });

    // OBO across tenants: alice is a guest in Fabrikam, bob is not
    const serverApp = fake.clients.serverApp;
    const obo = async (user: typeof fake.principals.alice) =>
      post(
        {
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          requested_token_use: 'on_behalf_of',
          client_id: serverApp.clientId,
          client_secret: serverApp.secret,
          assertion: await fake.mintToken(user),
          scope: 'https://management.azure.com/.default openid profile offline_access',
        },
        fake.tenant2Id,
      );
    const guest = await obo(fake.principals.alice);
    expect(guest.status).toBe(200);
    expect(guest.json()).toMatchObject({ scope: 'https://management.azure.com/.default' });
    const issued = await fake.request(`${fake.armUrl}/subscriptions?api-version=2022-12-01`, { headers: { Authorization: `Bearer ${guest.json<{ access_token: string }>().access_token}` } });
    expect(issued.json<{ value: Array<{ displayName: string }> }>().value.map((v) => v.displayName)).toEqual(['Fabrikam Production']);
    expect((await obo(fake.principals.bob)).json<{ error_codes: number[] }>().error_codes).toEqual([50020]);

    expect(fake.state.tokenRequests({ grantType: 'client_credentials', clientId: host.clientId })).toHaveLength(4);
    expect(fake.state.tokenRequests({ clientId: host.clientId, scope: 'https://management.azure.com/.default', status: 200 })).toMatchObject([{ clientAuth: 'secret', resource: 'https://management.azure.com' }]);
    expect(fake.state.tokenRequests({ error: 'AADSTS7000215' })).toHaveLength(1);
  });
});

describe('fake ARM protocol', () => {
  it('authenticates like ARM: missing, wrong audience, expired, unknown key, wrong tenant', async () => {
    const alice = fake.principals.alice;
    const arm = (path: string, token?: string) => fake.request(`${fake.armUrl}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    const armToken = (claims: Record<string, unknown> = {}, opts?: Parameters<FakeAzure['mintToken']>[2]) =>
      fake.mintToken(alice, { aud: 'https://management.azure.com/', scp: 'user_impersonation', ...claims }, opts);

    const missing = await arm('/subscriptions?api-version=2022-12-01');
    expect(missing.status).toBe(401);
    expect(missing.json()).toMatchObject({ error: { code: 'AuthenticationFailed' } });

    for (const token of [
      await fake.mintToken(alice), // aud = serverApp: the incoming MCP token must never work at ARM
      await armToken({ aud: 'https://graph.microsoft.com' }),
      await armToken({ exp: Math.floor(Date.now() / 1000) - 60 }),
      await armToken({}, { key: 'unknown' }),
      await armToken({}, { alg: 'none' }),
      await armToken({ iss: 'https://evil.example/x/v2.0' }),
    ]) {
      const res = await arm('/subscriptions?api-version=2022-12-01', token);
      expect(res.status).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });
      expect(String(res.headers['www-authenticate'])).toMatch(/^Bearer authorization_uri="https:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]+", error="invalid_token", error_description=".+"$/);
    }

    const good = await armToken();
    expect((await arm('/subscriptions', good)).json()).toMatchObject({ error: { code: 'MissingApiVersionParameter' } });
    // alice's token for Contoso cannot read the Fabrikam subscription: ARM points at the right tenant
    const wrongTenant = await arm(`/subscriptions/${S.fabrikamProd.subscriptionId}?api-version=2022-12-01`, good);
    expect(wrongTenant.status).toBe(401);
    expect(wrongTenant.json()).toMatchObject({ error: { code: 'InvalidAuthenticationTokenTenant' } });
    expect(String(wrongTenant.headers['www-authenticate'])).toContain(`${fake.entraUrl}/${fake.tenant2Id}`);
    const fabrikam = await armToken({ tid: fake.tenant2Id, iss: `${fake.entraUrl}/${fake.tenant2Id}/v2.0` });
    expect((await arm(`/SUBSCRIPTIONS/${S.fabrikamProd.subscriptionId}?api-version=2022-12-01`, fabrikam)).json()).toMatchObject({ displayName: 'Fabrikam Production' });

    // exists but no access -> 403; unknown -> 404
    expect((await arm(`/subscriptions/${S.contosoProd.subscriptionId}?api-version=2022-12-01`, good)).json()).toMatchObject({ error: { code: 'AuthorizationFailed' } });
    expect((await arm(`/subscriptions/${S.contosoProd.subscriptionId}/resourcegroups?api-version=2022-12-01`, good)).status).toBe(403);
    expect((await arm('/subscriptions/aaaaaaaa-5b00-4000-8000-0000000000ff?api-version=2022-12-01', good)).json()).toMatchObject({ error: { code: 'SubscriptionNotFound' } });
    expect((await arm(`/subscriptions/${S.contosoDev.subscriptionId}/resourceGroups/nope?api-version=2021-04-01`, good)).json()).toMatchObject({ error: { code: 'ResourceGroupNotFound' } });

    const rec = fake.state.requests({ service: 'arm', status: 200 })[0];
    expect(rec?.principal).toEqual({ oid: alice.oid, tid: fake.tenant2Id, kind: 'user' });
    expect(rec?.authorization).toBe(`Bearer ${fabrikam}`);
  });

  it('pages with absolute nextLinks and serves groups, resources and storage accounts', async () => {
    const token = await fake.mintToken(fake.principals.alice, { aud: 'https://management.azure.com', scp: 'user_impersonation' });
    const get = async (url: string) => (await fake.request(url, { headers: { Authorization: `Bearer ${token}` } })).json<{ value: Array<Record<string, unknown>>; nextLink?: string }>();
    const first = await get(`${fake.armUrl}/subscriptions?api-version=2022-12-01`);
    expect(first.value).toHaveLength(2);
    expect(first.nextLink).toMatch(new RegExp(`^${fake.armUrl}/subscriptions\\?api-version=2022-12-01&%24skiptoken=2$`));
    const second = await get(first.nextLink ?? '');
    expect(second.value).toHaveLength(1);
    expect(second.nextLink).toBeUndefined();
    expect([...first.value, ...second.value].map((s) => s.displayName)).toEqual(['Contoso Dev', 'Contoso Test', 'Contoso Sandbox']);
    expect(first.value[0]).toMatchObject({ id: `/subscriptions/${S.contosoDev.subscriptionId}`, state: 'Enabled', tenantId: fake.tenantId, authorizationSource: 'RoleBased' });

    fake.state.pageSize = 50;
    const sid = S.contosoDev.subscriptionId;
    const groups = await get(`${fake.armUrl}/subscriptions/${sid}/resourcegroups?api-version=2021-04-01`);
    expect(groups.value.map((g) => g.name)).toEqual(['rg-dev-app', 'rg-dev-data']);
    const resources = await get(`${fake.armUrl}/subscriptions/${sid}/resourceGroups/RG-DEV-DATA/resources?api-version=2021-04-01`);
    expect(resources.value.map((r) => r.type)).toEqual(['Microsoft.Storage/storageAccounts', 'Microsoft.KeyVault/vaults', 'Microsoft.Storage/storageAccounts']);
    const accounts = await get(`${fake.armUrl}/subscriptions/${sid}/providers/Microsoft.Storage/storageAccounts?api-version=2023-05-01`);
    expect(accounts.value.map((a) => a.name)).toEqual(['stcontosodevdata', 'stcontosodevapp', 'stcontosodevlogs']);
    expect(accounts.value[0]).toMatchObject({ kind: 'StorageV2', sku: { name: 'Standard_LRS' }, properties: { provisioningState: 'Succeeded', primaryEndpoints: { blob: 'https://stcontosodevdata.blob.core.windows.net/' } } });
    const missing = await fake.request(`${fake.armUrl}/subscriptions/${sid}/resourceGroups/rg-dev-data/providers/Microsoft.Storage/storageAccounts/nope?api-version=2023-05-01`, { headers: { Authorization: `Bearer ${token}` } });
    expect(missing.status).toBe(404);
  });
});

describe('fake Graph protocol', () => {
  it('/me for users, 400 for app tokens, 401 for wrong audience', async () => {
    const me = (token: string) => fake.request(`${fake.graphUrl}/v1.0/me`, { headers: { Authorization: `Bearer ${token}` } });
    const user = await me(await fake.mintToken(fake.principals.bob, { aud: 'https://graph.microsoft.com', scp: 'User.Read' }));
    expect(user.status).toBe(200);
    expect(user.json()).toMatchObject({ id: fake.principals.bob.oid, displayName: 'Bob Jones', userPrincipalName: 'bob@contoso.onmicrosoft.com', mail: 'bob@contoso.onmicrosoft.com' });
    const app = await me(await fake.mintToken(fake.principals.hostApp, { aud: 'https://graph.microsoft.com' }));
    expect(app.status).toBe(400);
    expect(app.json()).toMatchObject({ error: { code: 'BadRequest', message: '/me request is only valid with delegated authentication flow.' } });
    const wrong = await me(await fake.mintToken(fake.principals.bob));
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });
  });
});

describe('real @azure/identity, @azure/arm-* and jose against the fakes', () => {
  it('ClientSecretCredential + SubscriptionClient list every page of subscriptions and tenants', async () => {
    const host = fake.clients.hostApp;
    const r = expectOk(await probe<{ claims: Claims; subscriptions: SubscriptionRow[]; tenants: Array<{ tenantId: string }> }>('secret-arm', { clientId: host.clientId, clientSecret: host.secret }));
    expect(r.claims).toMatchObject({ aud: 'https://management.azure.com', oid: host.oid, tid: fake.tenantId, appid: host.clientId, idtyp: 'app' });
    expect(names(r.subscriptions)).toEqual(['Contoso Dev', 'Contoso Prod', 'Contoso Sandbox', 'Contoso Shared Services', 'Contoso Test']);
    expect(r.tenants.map((t) => t.tenantId).sort()).toEqual([fake.tenantId, fake.tenant2Id].sort());
    expect(fake.state.requests({ service: 'arm', path: /^\/subscriptions$/ })).toHaveLength(3); // pages of 2
    expect(fake.state.tokenRequests({ clientId: host.clientId, clientAuth: 'secret', status: 200 }).length).toBeGreaterThanOrEqual(1);
  });

  it('ClientCertificateCredential authenticates with the server app certificate', async () => {
    const app = fake.clients.serverApp;
    const r = expectOk(await probe<{ claims: Claims; subscriptions: SubscriptionRow[] }>('cert-arm', { clientId: app.clientId, certificatePath: fake.serverAppCertificate.path }));
    expect(r.claims).toMatchObject({ oid: app.oid, appid: app.clientId, idtyp: 'app' });
    expect(r.subscriptions).toEqual([]); // the server app itself has no ARM access
    expect(fake.state.tokenRequests({ clientId: app.clientId, clientAuth: 'certificate', status: 200 }).length).toBeGreaterThanOrEqual(1);
  });

  it('OnBehalfOfCredential exchanges a minted alice token for ARM and Graph; /me answers', async () => {
    const alice = fake.principals.alice;
    const incoming = await fake.mintToken(alice);
    const app = fake.clients.serverApp;
    type Obo = { arm: Claims; sameToken: boolean; graph: Claims; subscriptions: SubscriptionRow[]; me: { status: number; body: Record<string, unknown> } };
    const r = expectOk(await probe<Obo>('obo', { clientId: app.clientId, clientSecret: app.secret, userAssertionToken: incoming }));
    expect(r.arm).toMatchObject({ aud: 'https://management.azure.com', oid: alice.oid, tid: fake.tenantId, scp: 'user_impersonation', name: 'Alice Smith', upn: alice.upn, appid: app.clientId });
    expect(r.sameToken).toBe(true);
    expect(names(r.subscriptions)).toEqual(['Contoso Dev', 'Contoso Sandbox', 'Contoso Test']);
    expect(r.graph.aud).toBe('https://graph.microsoft.com');
    expect(r.me).toMatchObject({ status: 200, body: { id: alice.oid, displayName: 'Alice Smith', userPrincipalName: alice.upn } });

    // One exchange for the plain getToken calls (the second came from MSAL's cache) and one from the ARM client,
    // which asks for a CAE token (enableCae) and so uses @azure/identity's separate CAE-enabled MSAL cache.
    const armExchanges = fake.state.tokenRequests({ grantType: 'obo', assertionOid: alice.oid, scope: 'https://management.azure.com/.default' });
    expect(armExchanges.map((x) => x.cae ?? false)).toEqual([false, true]);
    expect(fake.state.tokenRequests({ grantType: 'on_behalf_of', clientId: app.clientId, scope: 'https://graph.microsoft.com' })).toHaveLength(1);
    const armCalls = fake.state.requests({ service: 'arm' });
    expect(armCalls.length).toBeGreaterThan(0);
    expect(armCalls.every((c) => c.authorization !== `Bearer ${incoming}` && c.principal?.oid === alice.oid)).toBe(true);
  });

  it('OnBehalfOfCredential with the certificate; bob sees his own subscriptions', async () => {
    const bob = fake.principals.bob;
    const r = expectOk(await probe<{ claims: Claims }>('obo-token', { clientId: fake.clients.serverApp.clientId, certificatePath: fake.serverAppCertificate.path, userAssertionToken: await fake.mintToken(bob, { aud: `api://${fake.clients.serverApp.clientId}` }) }));
    expect(r.claims).toMatchObject({ oid: bob.oid, scp: 'user_impersonation' });
    expect(fake.state.tokenRequests({ grantType: 'obo', assertionOid: bob.oid, clientAuth: 'certificate', status: 200 })).toHaveLength(1);
  });

  it('OBO failures surface the AADSTS code: injected consent, app-only assertion, expired, wrong audience', async () => {
    const app = fake.clients.serverApp;
    const alice = fake.principals.alice;
    const run = async (assertion: string) => probe<unknown>('obo-token', { clientId: app.clientId, clientSecret: app.secret, userAssertionToken: assertion });

    fake.state.failObo(alice.oid, 'AADSTS65001', { times: 1 });
    const consent = await run(await fake.mintToken(alice));
    expect(consent.ok).toBe(false);
    expect(consent.error?.message).toContain('AADSTS65001');
    expect(consent.error?.message).toContain(app.clientId);

    const appOnly = await run(await fake.mintToken(fake.principals.appCaller));
    expect(appOnly.error?.message).toContain('AADSTS7000114');
    const expired = await run(await fake.mintToken(alice, { exp: Math.floor(Date.now() / 1000) - 10 }));
    expect(expired.error?.message).toContain('AADSTS50013');
    const wrongAud = await run(await fake.mintToken(alice, { aud: 'https://management.azure.com' }));
    expect(wrongAud.error?.message).toContain('AADSTS50013');
    const badSecret = await probe<unknown>('obo-token', { clientId: app.clientId, clientSecret: 'nope', userAssertionToken: await fake.mintToken(alice) });
    expect(badSecret.error?.message).toContain('AADSTS7000215');

    // the injected failure was used up: alice succeeds again
    expectOk(await run(await fake.mintToken(alice)));
    expect(fake.state.tokenRequests({ grantType: 'obo', assertionOid: alice.oid, error: 'AADSTS65001' })).toHaveLength(1);
  });

  it('ManagedIdentityCredential via IDENTITY_ENDPOINT/IDENTITY_HEADER (system- and user-assigned)', async () => {
    const mi = fake.principals.managedIdentity;
    const system = expectOk(await probe<{ claims: Claims; subscriptions: SubscriptionRow[] }>('mi', {}, fake.miEnv()));
    expect(system.claims).toMatchObject({ aud: 'https://management.azure.com', oid: mi.oid, appid: mi.appId, idtyp: 'app' });
    expect(system.subscriptions).toHaveLength(5);
    const uami = fake.principals.userAssignedIdentity;
    const user = expectOk(await probe<{ claims: Claims; subscriptions: SubscriptionRow[] }>('mi', { managedIdentityClientId: uami.appId }, fake.miEnv()));
    expect(user.claims.oid).toBe(uami.oid);
    expect(names(user.subscriptions)).toEqual(['Contoso Prod']);
    const calls = fake.state.requests({ service: 'mi', status: 200 });
    expect(calls.map((c) => c.clientId)).toEqual([mi.appId, uami.appId]);
    expect(calls[0]?.query).toContain('api-version=2019-08-01');

    const noHeader = await fake.request(`${fake.miEndpoint}?api-version=2019-08-01&resource=https://management.azure.com`);
    expect(noHeader.status).toBe(401);
  });

  it('a managed identity token for api://AzureADTokenExchange is a federated client assertion (app and OBO)', async () => {
    const app = fake.clients.serverApp;
    const uami = fake.principals.userAssignedIdentity;
    const r = expectOk(await probe<{ exchange: Claims; claims: Claims }>('mi-federated', { clientId: app.clientId, managedIdentityClientId: uami.appId }, fake.miEnv()));
    expect(r.exchange).toMatchObject({ aud: 'api://AzureADTokenExchange', oid: uami.oid });
    expect(r.claims).toMatchObject({ oid: app.oid, appid: app.clientId });
    expect(fake.state.tokenRequests({ clientId: app.clientId, clientAuth: 'federated' })[0]?.clientAssertionSubject).toBe(uami.oid);

    const alice = fake.principals.alice;
    const obo = expectOk(await probe<{ claims: Claims }>('obo-federated', { clientId: app.clientId, managedIdentityClientId: uami.appId, userAssertionToken: await fake.mintToken(alice) }, fake.miEnv()));
    expect(obo.claims).toMatchObject({ oid: alice.oid, scp: 'user_impersonation' });
    expect(fake.state.tokenRequests({ grantType: 'obo', clientAuth: 'federated', assertionOid: alice.oid, status: 200 })).toHaveLength(1);

    // a workload-identity token file (SignedAssertionFilePath) is accepted the same way
    const file = await fake.writeFederatedTokenFile();
    const token = await fake.request(`${fake.entraUrl}/${fake.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: app.clientId,
        scope: 'https://management.azure.com/.default',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: (await readFile(file, 'utf8')).trim(),
      }).toString(),
    });
    expect(token.status).toBe(200);
  });

  it('jose createRemoteJWKSet verifies minted tokens, across a key rotation', async () => {
    const alice = fake.principals.alice;
    const before = await fake.mintToken(alice);
    await fake.rotateSigningKey();
    const after = await fake.mintToken(alice);
    const unknown = await fake.mintToken(alice, {}, { key: 'unknown' });
    const expired = await fake.mintToken(alice, { exp: Math.floor(Date.now() / 1000) - 60 });
    const r = expectOk(await probe<{ issuer: string; results: Array<{ ok: boolean; oid?: string; code?: string }> }>('jose', { tokens: [before, after, unknown, expired], audience: fake.clients.serverApp.clientId }));
    expect(r.issuer).toBe(`${fake.entraUrl}/${fake.tenantId}/v2.0`);
    expect(r.results.map((x) => x.ok)).toEqual([true, true, false, false]);
    expect(r.results[2]?.code).toBe('ERR_JWKS_NO_MATCHING_KEY');
    expect(r.results[3]?.code).toBe('ERR_JWT_EXPIRED');
  });

  it('an injected 429 with Retry-After is retried by the ARM client', async () => {
    fake.state.injectArmFailures(/^\/subscriptions$/, [{ status: 429, retryAfter: 1 }]);
    const host = fake.clients.hostApp;
    const r = expectOk(await probe<{ subscriptions: SubscriptionRow[] }>('secret-arm', { clientId: host.clientId, clientSecret: host.secret }));
    expect(r.subscriptions).toHaveLength(5);
    const calls = fake.state.requests({ service: 'arm', path: /^\/subscriptions$/ });
    expect(calls.map((c) => c.status)).toEqual([429, 200, 200, 200]);
    expect(calls[0]?.injected).toBe(true);
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('ResourceManagementClient and StorageManagementClient read groups, resources and storage accounts', async () => {
    const host = fake.clients.hostApp;
    type Data = { groups: Array<{ name: string; provisioningState: string }>; inGroup: Array<{ type: string }>; accounts: Array<{ name: string; created: boolean; blob: string }>; one: { provisioningState: string }; missingGroup: { statusCode: number; code: string } };
    const r = expectOk(await probe<Data>('arm-data', { clientId: host.clientId, clientSecret: host.secret, subscriptionId: S.contosoDev.subscriptionId }));
    expect(r.groups).toEqual([
      { name: 'rg-dev-app', location: 'eastus', provisioningState: 'Succeeded' },
      { name: 'rg-dev-data', location: 'eastus', provisioningState: 'Succeeded' },
    ]);
    expect(r.inGroup.length).toBeGreaterThanOrEqual(2);
    expect(r.accounts.map((a) => a.name)).toEqual(['stcontosodevdata', 'stcontosodevapp', 'stcontosodevlogs']);
    expect(r.accounts.every((a) => a.created && a.blob.startsWith('https://'))).toBe(true);
    expect(r.one.provisioningState).toBe('Succeeded');
    expect(r.missingGroup).toEqual({ statusCode: 404, code: 'ResourceGroupNotFound' });
  });
});

describe('state helpers', () => {
  it('resetData restores the defaults; grants change what ARM lists', async () => {
    const bob = fake.principals.bob;
    fake.state.grantAccess(bob.oid, [S.contosoDev.subscriptionId]);
    fake.state.addSubscription({ subscriptionId: 'aaaaaaaa-5b00-4000-8000-000000000099', displayName: 'Extra', tenantId: fake.tenantId }, [bob.oid]);
    expect(fake.state.accessibleSubscriptions(bob.oid, fake.tenantId)).toHaveLength(4);
    fake.state.resetData();
    expect(fake.state.accessibleSubscriptions(bob.oid, fake.tenantId).map((s) => s.displayName)).toEqual(['Contoso Prod', 'Contoso Shared Services']);
    expect(fake.state.findSubscription('aaaaaaaa-5b00-4000-8000-000000000099')).toBeUndefined();
  });
});
