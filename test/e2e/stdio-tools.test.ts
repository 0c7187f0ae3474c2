/**
 * The foundation as a VS Code user meets it: `node bin/azmcp.js server start` over stdio, the hosting
 * identity (a service principal) pointed at the fake Entra ID, every tool through the real MCP client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLIENTS, DEFAULT_SUBSCRIPTIONS } from '../fakes/defaults.js';
import { startFakeAzure, type FakeAzure } from '../fakes/index.js';
import { hostingEnv } from '../support/hosting-env.js';
import { resultText, startStdioServer, type StdioSession } from '../support/stdio-client.js';

let fake: FakeAzure;
let server: StdioSession;

const CONTOSO = Object.values(DEFAULT_SUBSCRIPTIONS).filter((s) => s.displayName.startsWith('Contoso'));
const DEV = DEFAULT_SUBSCRIPTIONS.contosoDev;

beforeAll(async () => {
  fake = await startFakeAzure();
  server = await startStdioServer(['--mode', 'all', '--cloud', fake.cloudFile], hostingEnv(fake));
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

describe('stdio server with the hosting identity', () => {
  it('answers initialize as azmcp and lists all five tools in --mode all', async () => {
    expect(server.client.getServerVersion()).toMatchObject({ name: 'azmcp' });
    const { tools } = await server.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['subscription_list', 'group_list', 'group_resource_list', 'storage_account_get', 'identity_whoami']);
    expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
  });

  it('subscription_list returns every page of subscriptions, as the hosting identity', async () => {
    fake.state.resetRequests();
    const result = await server.call('subscription_list');
    expect(result.isError).toBeFalsy();
    const { subscriptions } = result.structuredContent as { subscriptions: Array<{ subscriptionId: string; displayName: string }> };
    expect(subscriptions.map((s) => s.displayName).sort()).toEqual(CONTOSO.map((s) => s.displayName).sort());
    expect(JSON.parse(resultText(result))).toEqual(result.structuredContent);

    const armCalls = fake.state.requests({ service: 'arm', path: /^\/subscriptions$/i });
    expect(armCalls.length).toBeGreaterThanOrEqual(3); // 5 subscriptions at the fake's page size of 2
    expect(new Set(armCalls.map((r) => r.principal?.oid))).toEqual(new Set([DEFAULT_CLIENTS.hostApp.oid]));
  });

  it('group_list accepts a subscription display name', async () => {
    const result = await server.call('group_list', { subscription: 'contoso dev' });
    expect(result.isError).toBeFalsy();
    const { groups } = result.structuredContent as { groups: Array<{ name: string; id: string }> };
    expect(groups.map((g) => g.name).sort()).toEqual(['rg-dev-app', 'rg-dev-data']);
    expect(groups[0]!.id).toContain(`/subscriptions/${DEV.subscriptionId}/`);
  });

  it('group_resource_list lists the resources of a group', async () => {
    const result = await server.call('group_resource_list', { subscription: DEV.subscriptionId, 'resource-group': 'rg-dev-app' });
    expect(result.isError).toBeFalsy();
    const { resources } = result.structuredContent as { resources: Array<{ name: string; type: string }> };
    expect(resources).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'app-contoso-dev', type: 'Microsoft.Web/sites' })]));
  });

  it('storage_account_get lists every account, gets one by name, and names a missing one', async () => {
    const all = await server.call('storage_account_get', { subscription: 'Contoso Dev' });
    const { accounts } = all.structuredContent as { accounts: Array<{ name: string; resourceGroup: string; skuName: string }> };
    expect(accounts.map((a) => a.name).sort()).toEqual(['stcontosodevapp', 'stcontosodevdata', 'stcontosodevlogs']);

    const one = await server.call('storage_account_get', { subscription: 'Contoso Dev', account: 'stcontosodevapp' });
    expect((one.structuredContent as { accounts: unknown[] }).accounts).toEqual([
      expect.objectContaining({ name: 'stcontosodevapp', resourceGroup: 'rg-dev-app', skuName: 'Standard_GRS' }),
    ]);

    const missing = await server.call('storage_account_get', { subscription: 'Contoso Dev', account: 'nosuchaccount' });
    expect(missing.isError).toBe(true);
    expect(resultText(missing)).toMatch(/^AZMCP_NOT_FOUND: Storage account 'nosuchaccount' was not found/);
  });

  it('identity_whoami names the hosting principal and its tenant', async () => {
    const result = await server.call('identity_whoami');
    expect(result.structuredContent).toMatchObject({
      strategy: 'UseHostingEnvironmentIdentity',
      actingAs: 'hosting-identity',
      principal: { objectId: DEFAULT_CLIENTS.hostApp.oid, tenantId: fake.tenantId, appId: DEFAULT_CLIENTS.hostApp.clientId, type: 'servicePrincipal' },
    });
  });

  it('resolves a tenant by display name', async () => {
    const result = await server.call('subscription_list', { tenant: 'Fabrikam' });
    expect(result.isError).toBeFalsy();
    const { subscriptions } = result.structuredContent as { subscriptions: Array<{ displayName: string }> };
    expect(subscriptions.map((s) => s.displayName)).toEqual(['Fabrikam Production']);
  });

  it('an unknown subscription is a tool error listing what exists', async () => {
    const result = await server.call('group_list', { subscription: 'Contoso Moon' });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(/^AZMCP_NOT_FOUND: Subscription 'Contoso Moon' was not found .*Contoso Dev \(aaaaaaaa-5b00/);
  });

  it('an unknown subscription id is ARM\'s not-found, explained', async () => {
    const result = await server.call('group_list', { subscription: '00000000-0000-4000-8000-000000000000' });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(/^AZMCP_NOT_FOUND: Not found while listing resource groups .*SubscriptionNotFound/);
  });

  it('a missing required argument is refused with its name', async () => {
    const result = await server.call('group_resource_list', { subscription: 'Contoso Dev' });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain("missing required argument 'resource-group'");
  });

  it('retries injected 429 and 503 answers from ARM to success', async () => {
    fake.state.resetRequests();
    fake.state.injectArmFailures(/resourcegroups$/i, [{ status: 429, retryAfter: 1 }, { status: 503, retryAfter: 1 }]);
    const result = await server.call('group_list', { subscription: DEV.subscriptionId });
    expect(result.isError).toBeFalsy();
    const statuses = fake.state.requests({ service: 'arm', path: /resourcegroups$/i }).map((r) => r.status);
    expect(statuses).toEqual([429, 503, 200]);
  });

  it('keeps serving after failures', async () => {
    const { tools } = await server.client.listTools();
    expect(tools).toHaveLength(5);
  });

  it('never tried to leave loopback (no IMDS probe, no internet)', () => {
    expect(server.stderr()).not.toContain('LOOPBACK-GUARD');
  });
});
