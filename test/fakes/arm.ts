/**
 * Fake Azure Resource Manager: bearer authentication like ARM, tenants, subscriptions, resource groups, resources
 * and storage accounts, paged with absolute `nextLink`s (`$skiptoken`), plus failure injection.
 */
import { isIssuerValid, principalOf, type FakeContext } from './context.js';
import { bearerToken, injectedReply, json, newRequestId, type FakeReply, type FakeRequest } from './http.js';
import type { TokenClaims } from './tokens.js';
import type { FakeResource, FakeResourceGroup, FakeSubscription, FakeTenant, RequestRecord } from './types.js';

export function armError(status: number, code: string, message: string, headers: Record<string, string> = {}): FakeReply {
  return json(status, { error: { code, message } }, headers, { error: code });
}

const DEFAULT_FAILURE_CODES: Record<number, [string, string]> = {
  400: ['BadRequest', 'The request is invalid.'],
  401: ['InvalidAuthenticationToken', 'The access token is invalid.'],
  403: ['AuthorizationFailed', 'The client does not have authorization to perform this action.'],
  404: ['ResourceNotFound', 'The resource was not found.'],
  409: ['Conflict', 'The request conflicts with the current state of the resource.'],
  429: [
    'TooManyRequests',
    'The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00. For more information, refer to - https://aka.ms/srpthrottlinglimits',
  ],
  500: ['InternalServerError', 'Encountered internal server error. Diagnostic information: timestamp, subscription id, tracking id, request correlation id.'],
  502: ['BadGateway', 'The gateway did not receive a response from the service in time.'],
  503: ['ServiceUnavailable', 'The service is currently unavailable. Please try again later.'],
  504: ['GatewayTimeout', 'The gateway did not receive a response within the specified time period.'],
};

export function defaultArmErrorBody(status: number): unknown {
  const [code, message] = DEFAULT_FAILURE_CODES[status] ?? ['Error', `Injected status ${status}.`];
  return { error: { code, message } };
}

// ---- object shapes ------------------------------------------------------------------------------------------

function tenantJson(t: FakeTenant): Record<string, unknown> {
  return {
    id: `/tenants/${t.tenantId}`,
    tenantId: t.tenantId,
    countryCode: t.countryCode,
    displayName: t.displayName,
    domains: [t.defaultDomain],
    tenantCategory: 'Home',
    defaultDomain: t.defaultDomain,
    tenantType: 'AAD',
  };
}

function subscriptionJson(s: FakeSubscription): Record<string, unknown> {
  return {
    id: `/subscriptions/${s.subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    ...(s.tags ? { tags: s.tags } : {}),
    subscriptionId: s.subscriptionId,
    tenantId: s.tenantId,
    displayName: s.displayName,
    state: s.state ?? 'Enabled',
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
  };
}

function groupJson(g: FakeResourceGroup): Record<string, unknown> {
  return {
    id: `/subscriptions/${g.subscriptionId}/resourceGroups/${g.name}`,
    name: g.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: g.location,
    ...(g.tags ? { tags: g.tags } : {}),
    properties: { provisioningState: 'Succeeded' },
  };
}

function resourceId(r: FakeResource): string {
  return `/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroup}/providers/${r.type}/${r.name}`;
}

function resourceJson(r: FakeResource): Record<string, unknown> {
  return {
    id: resourceId(r),
    name: r.name,
    type: r.type,
    ...(r.sku ? { sku: r.sku } : {}),
    ...(r.kind ? { kind: r.kind } : {}),
    location: r.location,
    ...(r.tags ? { tags: r.tags } : {}),
  };
}

function storageAccountJson(r: FakeResource): Record<string, unknown> {
  const created = r.createdAt ?? '2024-01-15T09:30:00.0000000Z';
  const endpoint = (svc: string): string => `https://${r.name}.${svc}.core.windows.net/`;
  const encryptionService = { keyType: 'Account', enabled: true, lastEnabledTime: created };
  return {
    sku: r.sku ?? { name: 'Standard_LRS', tier: 'Standard' },
    kind: r.kind ?? 'StorageV2',
    id: resourceId(r),
    name: r.name,
    type: 'Microsoft.Storage/storageAccounts',
    location: r.location,
    tags: r.tags ?? {},
    properties: {
      dnsEndpointType: 'Standard',
      defaultToOAuthAuthentication: false,
      publicNetworkAccess: 'Enabled',
      keyCreationTime: { key1: created, key2: created },
      allowCrossTenantReplication: false,
      privateEndpointConnections: [],
      minimumTlsVersion: 'TLS1_2',
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: true,
      isHnsEnabled: false,
      networkAcls: { bypass: 'AzureServices', virtualNetworkRules: [], ipRules: [], defaultAction: 'Allow' },
      supportsHttpsTrafficOnly: true,
      encryption: {
        requireInfrastructureEncryption: false,
        services: { file: encryptionService, blob: encryptionService },
        keySource: 'Microsoft.Storage',
      },
      accessTier: 'Hot',
      provisioningState: 'Succeeded',
      creationTime: created,
      primaryEndpoints: {
        dfs: endpoint('dfs'),
        web: `https://${r.name}.z13.web.core.windows.net/`,
        blob: endpoint('blob'),
        queue: endpoint('queue'),
        table: endpoint('table'),
        file: endpoint('file'),
      },
      primaryLocation: r.location,
      statusOfPrimary: 'available',
      ...r.properties,
    },
  };
}

// ---- authentication -----------------------------------------------------------------------------------------

type Auth = { ok: true; claims: TokenClaims; principal: NonNullable<RequestRecord['principal']> } | { ok: false; reply: FakeReply };

function challenge(ctx: FakeContext, tenant: string, description: string): string {
  const escaped = description.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return `Bearer authorization_uri="${ctx.urls.entra}/${tenant}", error="invalid_token", error_description="${escaped}"`;
}

async function authenticate(ctx: FakeContext, req: FakeRequest): Promise<Auth> {
  const token = bearerToken(req.headers);
  const fallbackTenant = ctx.state.findTenant(ctx.state.tenants.keys().next().value ?? '')?.tenantId ?? 'common';
  if (!req.headers.authorization) {
    const message = "Authentication failed. The 'Authorization' header is missing.";
    return { ok: false, reply: armError(401, 'AuthenticationFailed', message, { 'WWW-Authenticate': challenge(ctx, fallbackTenant, message) }) };
  }
  if (!token) {
    const message = "Authentication failed. The 'Authorization' header is provided in an invalid format.";
    return { ok: false, reply: armError(401, 'AuthenticationFailed', message, { 'WWW-Authenticate': challenge(ctx, fallbackTenant, message) }) };
  }
  const result = await ctx.keys.verify(token, { isIssuerValid: (iss) => isIssuerValid(ctx, iss), audiences: [ctx.state.armAudience, 'https://management.core.windows.net'] });
  if (!result.ok) {
    const tid = result.claims?.tid ?? fallbackTenant;
    const messages: Record<string, string> = {
      expired: `The access token expiry UTC time '${result.claims?.exp ? new Date(result.claims.exp * 1000).toUTCString() : 'unknown'}' is earlier than current UTC time '${new Date().toUTCString()}'.`,
      bad_audience: `The access token has been obtained for wrong audience or resource '${String(result.claims?.aud)}'. It should exactly match with one of the allowed audiences '${ctx.state.armAudience}','${ctx.state.armAudience}/','https://management.core.windows.net','https://management.core.windows.net/'.`,
      bad_issuer: `The access token is from the wrong issuer '${String(result.claims?.iss)}'.`,
    };
    const message = messages[result.reason] ?? `The access token is invalid. ${result.message}`;
    return { ok: false, reply: armError(401, 'InvalidAuthenticationToken', message, { 'WWW-Authenticate': challenge(ctx, tid, message) }) };
  }
  return { ok: true, claims: result.claims, principal: principalOf(result.claims) };
}

// ---- paging -------------------------------------------------------------------------------------------------

function page(ctx: FakeContext, req: FakeRequest, items: unknown[]): FakeReply {
  const size = Math.max(1, ctx.state.pageSize);
  const skip = Math.max(0, Number.parseInt(req.url.searchParams.get('$skiptoken') ?? '0', 10) || 0);
  const value = items.slice(skip, skip + size);
  const body: Record<string, unknown> = { value };
  if (skip + size < items.length) {
    const next = new URL(req.url.pathname, ctx.urls.arm);
    for (const [k, v] of req.url.searchParams) if (k !== '$skiptoken') next.searchParams.append(k, v);
    next.searchParams.set('$skiptoken', String(skip + size));
    body.nextLink = next.toString();
  }
  return json(200, body);
}

// ---- routing ------------------------------------------------------------------------------------------------

const SUB = '/subscriptions/([^/]+)';
const RG = '/resourcegroups/([^/]+)';
const STORAGE = '/providers/microsoft\\.storage/storageaccounts';
const route = (pattern: string): RegExp => new RegExp(`^${pattern}/?$`, 'i');
const ROUTES = {
  tenants: route('/tenants'),
  subscriptions: route('/subscriptions'),
  subscription: route(SUB),
  groups: route(`${SUB}/resourcegroups`),
  group: route(`${SUB}${RG}`),
  groupResources: route(`${SUB}${RG}/resources`),
  subResources: route(`${SUB}/resources`),
  subStorage: route(`${SUB}${STORAGE}`),
  groupStorage: route(`${SUB}${RG}${STORAGE}`),
  storageAccount: route(`${SUB}${RG}${STORAGE}/([^/]+)`),
};

/** `$filter=resourceType eq 'X'` (the only filter the fake understands). */
function typeFilter(req: FakeRequest): string | undefined {
  const filter = req.url.searchParams.get('$filter');
  return filter ? /resourceType\s+eq\s+'([^']+)'/i.exec(filter)?.[1] : undefined;
}

function routeRequest(ctx: FakeContext, req: FakeRequest, auth: Extract<Auth, { ok: true }>): FakeReply {
  const { state } = ctx;
  const { principal } = auth;
  const path = req.path;
  let m: RegExpExecArray | null;

  if (ROUTES.tenants.test(path)) {
    const tenants = [...state.tenants.values()].filter((t) => {
      const p = state.findPrincipal(principal.oid);
      return p ? state.isInTenant(p, t.tenantId) : t.tenantId.toLowerCase() === principal.tid.toLowerCase();
    });
    return page(ctx, req, tenants.map(tenantJson));
  }
  if (ROUTES.subscriptions.test(path)) {
    return page(ctx, req, state.accessibleSubscriptions(principal.oid, principal.tid).map(subscriptionJson));
  }

  const subMatch = /^\/subscriptions\/([^/]+)/i.exec(path);
  if (!subMatch?.[1]) return armError(404, 'InvalidResourceType', `The resource type could not be found for '${req.method} ${path}'.`);
  const sid = subMatch[1];
  const sub = state.findSubscription(sid);
  if (!sub) return armError(404, 'SubscriptionNotFound', `The subscription '${sid}' could not be found.`);
  if (sub.tenantId.toLowerCase() !== principal.tid.toLowerCase()) {
    const message = `The access token is from the wrong issuer '${ctx.urls.entra}/${principal.tid}/v2.0'. It must match the tenant '${ctx.urls.entra}/${sub.tenantId}/' associated with this subscription. Please use the authority (URL) '${ctx.urls.entra}/${sub.tenantId}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.`;
    return armError(401, 'InvalidAuthenticationTokenTenant', message, { 'WWW-Authenticate': challenge(ctx, sub.tenantId, message) });
  }
  const denied = (action: string, scope: string): FakeReply =>
    armError(
      403,
      'AuthorizationFailed',
      `The client '${principal.oid}' with object id '${principal.oid}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  const subScope = `/subscriptions/${sub.subscriptionId}`;

  if (ROUTES.subscription.test(path)) {
    return state.canAccess(principal.oid, sid) ? json(200, subscriptionJson(sub)) : denied('Microsoft.Resources/subscriptions/read', subScope);
  }
  if (!state.canAccess(principal.oid, sid)) return denied('Microsoft.Resources/subscriptions/resourceGroups/read', subScope);

  if (ROUTES.groups.test(path)) return page(ctx, req, state.resourceGroupsOf(sid).map(groupJson));
  if (ROUTES.subResources.test(path)) return page(ctx, req, state.resourcesOf(sid, undefined, typeFilter(req)).map(resourceJson));
  if (ROUTES.subStorage.test(path)) return page(ctx, req, state.resourcesOf(sid, undefined, 'Microsoft.Storage/storageAccounts').map(storageAccountJson));

  const rgMatch = /^\/subscriptions\/[^/]+\/resourcegroups\/([^/]+)/i.exec(path);
  const rgName = rgMatch?.[1];
  if (rgName) {
    const group = state.findResourceGroup(sid, rgName);
    if (!group) return armError(404, 'ResourceGroupNotFound', `Resource group '${rgName}' could not be found.`);
    if (ROUTES.group.test(path)) return json(200, groupJson(group));
    if (ROUTES.groupResources.test(path)) return page(ctx, req, state.resourcesOf(sid, group.name, typeFilter(req)).map(resourceJson));
    if (ROUTES.groupStorage.test(path)) return page(ctx, req, state.resourcesOf(sid, group.name, 'Microsoft.Storage/storageAccounts').map(storageAccountJson));
    if ((m = ROUTES.storageAccount.exec(path)) && m[3]) {
      const name = m[3];
      const account = state.resourcesOf(sid, group.name, 'Microsoft.Storage/storageAccounts').find((r) => r.name.toLowerCase() === name.toLowerCase());
      if (!account) {
        return armError(
          404,
          'ResourceNotFound',
          `The Resource 'Microsoft.Storage/storageAccounts/${name}' under resource group '${group.name}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
        );
      }
      return json(200, storageAccountJson(account));
    }
  }
  return armError(404, 'InvalidResourceType', `The resource type could not be found in the namespace for '${req.method} ${path}'.`);
}

export function armHandler(ctx: FakeContext): (req: FakeRequest) => Promise<FakeReply> {
  return async (req) => {
    const requestId = newRequestId();
    const withIds = (reply: FakeReply, principal?: RequestRecord['principal']): FakeReply => ({
      ...reply,
      headers: {
        'x-ms-request-id': requestId,
        'x-ms-correlation-request-id': typeof req.headers['x-ms-client-request-id'] === 'string' ? req.headers['x-ms-client-request-id'] : requestId,
        'x-ms-ratelimit-remaining-subscription-reads': '11999',
        ...reply.headers,
      },
      record: { ...(principal ? { principal } : {}), ...reply.record },
    });

    const auth = await authenticate(ctx, req);
    const principal = auth.ok ? auth.principal : undefined;
    const failure = ctx.state.takeFailure('arm', req.path);
    if (failure) return withIds(injectedReply(failure, defaultArmErrorBody), principal);
    if (!auth.ok) return withIds(auth.reply);
    if (req.method.toUpperCase() !== 'GET') {
      return withIds(armError(405, 'MethodNotAllowed', `The fake ARM only serves GET (got ${req.method} ${req.path}).`), principal);
    }
    if (!req.url.searchParams.get('api-version')) {
      return withIds(armError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests."), principal);
    }
    return withIds(routeRequest(ctx, req, auth), principal);
  };
}
