/**
 * Default directory and ARM data every fake starts with. Ids are fixed (valid v4-format GUIDs) so tests and logs
 * can name them; secrets are plain strings.
 *
 * Tenant A 'Contoso' (default): five subscriptions. Tenant B 'Fabrikam': one.
 *  - hostApp (client secret): the hosting identity; reads all Contoso subscriptions (and Fabrikam's, with a Fabrikam token).
 *  - serverApp (secret, certificate, federated credentials): the MCP server's registration used for on-behalf-of.
 *  - appCaller (secret): a daemon calling the MCP server with app-only tokens (role Mcp.Tools.ReadWrite.All).
 *  - alice (Contoso, guest in Fabrikam): Contoso Dev, Contoso Test, Contoso Sandbox (+ Fabrikam Production).
 *  - bob (Contoso): Contoso Prod, Contoso Shared Services.
 *  - managedIdentity (system-assigned, App Service): all Contoso subscriptions.
 *  - userAssignedIdentity: Contoso Prod only.
 */
import type { FakeClient, FakePrincipal, FakeSubscription, FakeTenant } from './types.js';
import type { FakeState } from './state.js';

export const TENANT_A = 'aaaaaaaa-0000-4000-8000-00000000000a';
export const TENANT_B = 'bbbbbbbb-0000-4000-8000-00000000000b';

export const DEFAULT_TENANTS = {
  contoso: { tenantId: TENANT_A, displayName: 'Contoso', defaultDomain: 'contoso.onmicrosoft.com', countryCode: 'US' },
  fabrikam: { tenantId: TENANT_B, displayName: 'Fabrikam', defaultDomain: 'fabrikam.onmicrosoft.com', countryCode: 'GB' },
} as const satisfies Record<string, FakeTenant>;

export const DEFAULT_SUBSCRIPTIONS = {
  contosoDev: { subscriptionId: 'aaaaaaaa-5b00-4000-8000-000000000001', displayName: 'Contoso Dev', tenantId: TENANT_A },
  contosoTest: { subscriptionId: 'aaaaaaaa-5b00-4000-8000-000000000002', displayName: 'Contoso Test', tenantId: TENANT_A },
  contosoProd: { subscriptionId: 'aaaaaaaa-5b00-4000-8000-000000000003', displayName: 'Contoso Prod', tenantId: TENANT_A },
  contosoShared: { subscriptionId: 'aaaaaaaa-5b00-4000-8000-000000000004', displayName: 'Contoso Shared Services', tenantId: TENANT_A },
  contosoSandbox: { subscriptionId: 'aaaaaaaa-5b00-4000-8000-000000000005', displayName: 'Contoso Sandbox', tenantId: TENANT_A },
  fabrikamProd: { subscriptionId: 'bbbbbbbb-5b00-4000-8000-000000000001', displayName: 'Fabrikam Production', tenantId: TENANT_B },
} as const satisfies Record<string, FakeSubscription>;

export const DEFAULT_CLIENTS = {
  hostApp: {
    clientId: '40570000-0000-4000-8000-000000000001',
    oid: '40570000-0000-4000-8000-0000000000a1',
    tenantId: TENANT_A,
    tenants: [TENANT_B],
    displayName: 'azmcp-host',
    secret: 'host-app-secret',
  },
  serverApp: {
    clientId: '5e4e4000-0000-4000-8000-000000000002',
    oid: '5e4e4000-0000-4000-8000-0000000000a2',
    tenantId: TENANT_A,
    tenants: [TENANT_B],
    displayName: 'azmcp-server',
    secret: 'server-app-secret',
  },
  appCaller: {
    clientId: 'ca11e400-0000-4000-8000-000000000003',
    oid: 'ca11e400-0000-4000-8000-0000000000a3',
    tenantId: TENANT_A,
    displayName: 'azmcp-daemon-caller',
    secret: 'app-caller-secret',
  },
} as const;

export const DEFAULT_USERS = {
  alice: {
    oid: 'a11ce000-0000-4000-8000-000000000001',
    tid: TENANT_A,
    tenants: [TENANT_B],
    kind: 'user',
    name: 'Alice Smith',
    upn: 'alice@contoso.onmicrosoft.com',
  },
  bob: {
    oid: 'b0b00000-0000-4000-8000-000000000002',
    tid: TENANT_A,
    kind: 'user',
    name: 'Bob Jones',
    upn: 'bob@contoso.onmicrosoft.com',
  },
} as const;

export const DEFAULT_MANAGED_IDENTITIES = {
  managedIdentity: {
    oid: '3a000000-0000-4000-8000-0000000000a4',
    appId: '3a000000-0000-4000-8000-000000000004',
    tid: TENANT_A,
    kind: 'app',
    name: 'app-azmcp-prod',
    resourceId: `/subscriptions/${DEFAULT_SUBSCRIPTIONS.contosoProd.subscriptionId}/resourceGroups/rg-prod-app/providers/Microsoft.Web/sites/app-azmcp-prod`,
  },
  userAssignedIdentity: {
    oid: '3a000000-0000-4000-8000-0000000000a5',
    appId: '3a000000-0000-4000-8000-000000000005',
    tid: TENANT_A,
    kind: 'app',
    name: 'id-azmcp',
    resourceId: `/subscriptions/${DEFAULT_SUBSCRIPTIONS.contosoProd.subscriptionId}/resourceGroups/rg-prod-app/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-azmcp`,
  },
} as const;

/** Kubernetes-style workload identity subject the server app's federated credentials trust (token-file flow). */
export const WORKLOAD_IDENTITY_SUBJECT = 'system:serviceaccount:azmcp:azmcp-server';

/** Public client (VS Code) that default minted user tokens name as `azp`. */
export const VSCODE_CLIENT_ID = 'aebc6443-996d-45c2-90f0-388ff96faa56';

export const MCP_SCOPE = 'Mcp.Tools.ReadWrite';
export const MCP_APP_ROLE = 'Mcp.Tools.ReadWrite.All';

export interface DefaultPrincipals {
  alice: FakePrincipal;
  bob: FakePrincipal;
  hostApp: FakePrincipal;
  serverApp: FakePrincipal;
  appCaller: FakePrincipal;
  managedIdentity: FakePrincipal;
  userAssignedIdentity: FakePrincipal;
}

export interface DefaultClients {
  hostApp: FakeClient & { secret: string };
  serverApp: FakeClient & { secret: string; certificatePem: string; federatedSubjects: string[] };
  appCaller: FakeClient & { secret: string };
}

type Sub = keyof typeof DEFAULT_SUBSCRIPTIONS;

/** Resource groups and resources per subscription: [group suffix, location, resources]. */
function seedArm(state: FakeState, key: Sub): void {
  const sub = DEFAULT_SUBSCRIPTIONS[key];
  const sid = sub.subscriptionId;
  const env = key.replace(/^(contoso|fabrikam)/, '').toLowerCase(); // dev, test, prod, shared, sandbox
  const prefix = key.startsWith('fabrikam') ? 'fab' : 'contoso';
  const location = key === 'fabrikamProd' ? 'uksouth' : key === 'contosoProd' ? 'westeurope' : 'eastus';
  const appGroup = `rg-${env}-app`;
  const dataGroup = `rg-${env}-data`;
  state.addResourceGroup({ subscriptionId: sid, name: appGroup, location, tags: { environment: env, owner: 'platform-team' } });
  state.addResourceGroup({ subscriptionId: sid, name: dataGroup, location });

  const st = (suffix: string): string => `st${prefix}${env}${suffix}`.slice(0, 24);
  state.addResource({ subscriptionId: sid, resourceGroup: appGroup, name: `asp-${prefix}-${env}`, type: 'Microsoft.Web/serverFarms', location, kind: 'linux', sku: { name: 'P1v3', tier: 'PremiumV3' } });
  state.addResource({ subscriptionId: sid, resourceGroup: appGroup, name: `app-${prefix}-${env}`, type: 'Microsoft.Web/sites', location, kind: 'app,linux', tags: { environment: env } });
  state.addStorageAccount({ subscriptionId: sid, resourceGroup: dataGroup, name: st('data'), location, tags: { environment: env } });
  state.addResource({ subscriptionId: sid, resourceGroup: dataGroup, name: `kv-${prefix}-${env}`, type: 'Microsoft.KeyVault/vaults', location });
  if (key === 'contosoDev') {
    // Three storage accounts in one subscription so storage listing pages too.
    state.addStorageAccount({ subscriptionId: sid, resourceGroup: appGroup, name: st('app'), location, kind: 'StorageV2', sku: { name: 'Standard_GRS', tier: 'Standard' } });
    state.addStorageAccount({ subscriptionId: sid, resourceGroup: dataGroup, name: st('logs'), location, kind: 'BlobStorage', sku: { name: 'Standard_LRS', tier: 'Standard' } });
  }
}

export function loadDefaults(state: FakeState, serverAppCertificatePem: string): { principals: DefaultPrincipals; clients: DefaultClients } {
  Object.values(DEFAULT_TENANTS).forEach((t) => state.addTenant({ ...t }));
  const S = DEFAULT_SUBSCRIPTIONS;
  for (const key of Object.keys(S) as Sub[]) {
    state.addSubscription({ ...S[key], state: 'Enabled' });
    seedArm(state, key);
  }

  const mi = DEFAULT_MANAGED_IDENTITIES;
  const hostApp = { ...DEFAULT_CLIENTS.hostApp, tenants: [...DEFAULT_CLIENTS.hostApp.tenants] };
  state.addClient(hostApp);
  const serverApp = {
    ...DEFAULT_CLIENTS.serverApp,
    tenants: [...DEFAULT_CLIENTS.serverApp.tenants],
    certificatePem: serverAppCertificatePem,
    federatedSubjects: [mi.managedIdentity.oid, mi.userAssignedIdentity.oid, WORKLOAD_IDENTITY_SUBJECT],
  };
  state.addClient(serverApp);
  const appCaller = {
    ...DEFAULT_CLIENTS.appCaller,
    appRoles: { [DEFAULT_CLIENTS.serverApp.clientId]: [MCP_APP_ROLE] },
  };
  state.addClient(appCaller);

  const alice = state.addPrincipal({ ...DEFAULT_USERS.alice, tenants: [...DEFAULT_USERS.alice.tenants] });
  const bob = state.addPrincipal({ ...DEFAULT_USERS.bob });
  const managedIdentity = state.addPrincipal({ ...mi.managedIdentity });
  const userAssignedIdentity = state.addPrincipal({ ...mi.userAssignedIdentity });

  const contoso = [S.contosoDev, S.contosoTest, S.contosoProd, S.contosoShared, S.contosoSandbox].map((s) => s.subscriptionId);
  state.grantAccess(hostApp.oid, [...contoso, S.fabrikamProd.subscriptionId]);
  state.grantAccess(managedIdentity.oid, contoso);
  state.grantAccess(userAssignedIdentity.oid, [S.contosoProd.subscriptionId]);
  state.grantAccess(alice.oid, [S.contosoDev.subscriptionId, S.contosoTest.subscriptionId, S.contosoSandbox.subscriptionId, S.fabrikamProd.subscriptionId]);
  state.grantAccess(bob.oid, [S.contosoProd.subscriptionId, S.contosoShared.subscriptionId]);

  const appPrincipal = (c: FakeClient): FakePrincipal => state.findPrincipal(c.oid) as FakePrincipal;
  return {
    principals: {
      alice,
      bob,
      hostApp: appPrincipal(hostApp),
      serverApp: appPrincipal(serverApp),
      appCaller: appPrincipal(appCaller),
      managedIdentity,
      userAssignedIdentity,
    },
    clients: { hostApp, serverApp, appCaller },
  };
}
