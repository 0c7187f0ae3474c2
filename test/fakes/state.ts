/**
 * Mutable state of one fake Azure: directory (tenants, principals, app registrations), ARM data and access,
 * failure injection and the request log. Tests reach it as `fake.state`.
 */
import type {
  FakeClient,
  FakePrincipal,
  FakeResource,
  FakeResourceGroup,
  FakeSubscription,
  FakeTenant,
  InjectedResponse,
  RequestFilter,
  RequestRecord,
  ServiceName,
} from './types.js';

export const GRANT_CLIENT_CREDENTIALS = 'client_credentials';
export const GRANT_JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export interface OboFailure {
  /** `AADSTS65001`, `AADSTS50013`, `AADSTS50076`, `AADSTS50020`, `AADSTS53003`, `AADSTS500011`, ... */
  code: string;
  /** Replaces the default error_description text (after the `AADSTSnnnn: ` prefix). */
  description?: string;
  /** Fail only this many times, then succeed again; default: until `clearObo`. */
  times?: number;
}

interface FailureRule {
  service: ServiceName;
  match: string | RegExp;
  responses: InjectedResponse[];
}

interface DataSnapshot {
  tenants: FakeTenant[];
  principals: FakePrincipal[];
  clients: FakeClient[];
  subscriptions: FakeSubscription[];
  resourceGroups: FakeResourceGroup[];
  resources: FakeResource[];
  access: Array<[string, string[]]>;
  audiences: string[];
}

const lower = (s: string): string => s.toLowerCase();
const stripDefault = (scope: string): string => scope.replace(/\/\.default$/i, '').replace(/\/+$/, '');

export class FakeState {
  /** ARM page size (items per page before a `nextLink`). */
  pageSize: number;
  /** `expires_in` of tokens issued by the token endpoint (and lifetime of MI tokens). */
  tokenLifetimeSeconds = 3599;

  readonly tenants = new Map<string, FakeTenant>();
  readonly principals = new Map<string, FakePrincipal>();
  readonly clients = new Map<string, FakeClient>();
  readonly subscriptions = new Map<string, FakeSubscription>();
  readonly resourceGroups: FakeResourceGroup[] = [];
  readonly resources: FakeResource[] = [];
  /** Resource URIs Entra will issue tokens for, besides ARM, Graph, token exchange and registered apps. */
  readonly audiences = new Set<string>();

  private readonly access = new Map<string, Set<string>>();
  private failures: FailureRule[] = [];
  private readonly oboFailures = new Map<string, OboFailure>();
  private log: RequestRecord[] = [];
  private snapshot: DataSnapshot | undefined;
  private readonly initialPageSize: number;

  constructor(
    readonly armAudience: string,
    readonly graphAudience: string,
    pageSize = 2,
  ) {
    this.pageSize = pageSize;
    this.initialPageSize = pageSize;
  }

  // ---- directory -------------------------------------------------------------------------------------------

  addTenant(tenant: FakeTenant): FakeTenant {
    this.tenants.set(lower(tenant.tenantId), tenant);
    return tenant;
  }

  /** By tenant id or domain (`contoso.onmicrosoft.com`). */
  findTenant(idOrDomain: string): FakeTenant | undefined {
    const key = lower(idOrDomain);
    return this.tenants.get(key) ?? [...this.tenants.values()].find((t) => lower(t.defaultDomain) === key);
  }

  addPrincipal(principal: FakePrincipal): FakePrincipal {
    this.principals.set(lower(principal.oid), principal);
    return principal;
  }

  findPrincipal(oid: string | undefined): FakePrincipal | undefined {
    return oid ? this.principals.get(lower(oid)) : undefined;
  }

  /** Registers the app and its service principal (kind 'app', same oid/tenants). */
  addClient(client: FakeClient): FakeClient {
    this.clients.set(lower(client.clientId), client);
    this.addPrincipal({
      oid: client.oid,
      tid: client.tenantId,
      kind: 'app',
      appId: client.clientId,
      name: client.displayName,
      tenants: client.tenants,
    });
    return client;
  }

  findClient(clientId: string | undefined): FakeClient | undefined {
    return clientId ? this.clients.get(lower(clientId)) : undefined;
  }

  /** Whether a principal or app exists in a tenant (home tenant or one of `tenants`). */
  isInTenant(entity: { tid?: string; tenantId?: string; tenants?: string[] }, tenantId: string): boolean {
    const home = entity.tid ?? entity.tenantId;
    return [home, ...(entity.tenants ?? [])].some((t) => t !== undefined && lower(t) === lower(tenantId));
  }

  /** Resources Entra issues tokens for. Accepts `X`, `X/`, `api://{clientId}` and registered client ids. */
  isKnownResource(resource: string): boolean {
    const r = lower(stripDefault(resource));
    const known = [this.armAudience, 'https://management.core.windows.net', this.graphAudience, TOKEN_EXCHANGE_AUDIENCE, ...this.audiences];
    if (known.some((k) => lower(stripDefault(k)) === r)) return true;
    const id = r.startsWith('api://') ? r.slice('api://'.length) : r;
    return this.clients.has(id);
  }

  /** App roles of a client for a resource (keys compared without `api://` and trailing slash). */
  appRolesFor(client: FakeClient, resource: string): string[] {
    const norm = (s: string): string => lower(stripDefault(s)).replace(/^api:\/\//, '');
    const wanted = norm(resource);
    return Object.entries(client.appRoles ?? {})
      .filter(([key]) => norm(key) === wanted)
      .flatMap(([, roles]) => roles);
  }

  // ---- ARM data ----------------------------------------------------------------------------------------------

  addSubscription(subscription: FakeSubscription, grantTo: string[] = []): FakeSubscription {
    this.subscriptions.set(lower(subscription.subscriptionId), subscription);
    for (const oid of grantTo) this.grantAccess(oid, [subscription.subscriptionId]);
    return subscription;
  }

  /** Removes the subscription with its groups, resources and grants. */
  removeSubscription(subscriptionId: string): void {
    const id = lower(subscriptionId);
    this.subscriptions.delete(id);
    this.removeWhere(this.resourceGroups, (g) => lower(g.subscriptionId) === id);
    this.removeWhere(this.resources, (r) => lower(r.subscriptionId) === id);
    for (const set of this.access.values()) set.delete(id);
  }

  findSubscription(subscriptionId: string): FakeSubscription | undefined {
    return this.subscriptions.get(lower(subscriptionId));
  }

  addResourceGroup(group: FakeResourceGroup): FakeResourceGroup {
    this.resourceGroups.push(group);
    return group;
  }

  findResourceGroup(subscriptionId: string, name: string): FakeResourceGroup | undefined {
    return this.resourceGroups.find((g) => lower(g.subscriptionId) === lower(subscriptionId) && lower(g.name) === lower(name));
  }

  resourceGroupsOf(subscriptionId: string): FakeResourceGroup[] {
    return this.resourceGroups.filter((g) => lower(g.subscriptionId) === lower(subscriptionId));
  }

  addResource(resource: FakeResource): FakeResource {
    this.resources.push(resource);
    return resource;
  }

  /** A `Microsoft.Storage/storageAccounts` resource with sensible defaults (StorageV2, Standard_LRS). */
  addStorageAccount(account: Omit<FakeResource, 'type'> & { type?: string }): FakeResource {
    return this.addResource({
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS', tier: 'Standard' },
      createdAt: new Date(Date.UTC(2024, 0, 15, 9, 30)).toISOString(),
      ...account,
      type: 'Microsoft.Storage/storageAccounts',
    });
  }

  resourcesOf(subscriptionId: string, resourceGroup?: string, type?: string): FakeResource[] {
    return this.resources.filter(
      (r) =>
        lower(r.subscriptionId) === lower(subscriptionId) &&
        (resourceGroup === undefined || lower(r.resourceGroup) === lower(resourceGroup)) &&
        (type === undefined || lower(r.type) === lower(type)),
    );
  }

  grantAccess(oid: string, subscriptionIds: string[]): void {
    const set = this.access.get(lower(oid)) ?? new Set<string>();
    for (const id of subscriptionIds) set.add(lower(id));
    this.access.set(lower(oid), set);
  }

  /** Without ids: revoke everything. */
  revokeAccess(oid: string, subscriptionIds?: string[]): void {
    if (!subscriptionIds) {
      this.access.delete(lower(oid));
      return;
    }
    const set = this.access.get(lower(oid));
    for (const id of subscriptionIds) set?.delete(lower(id));
  }

  canAccess(oid: string, subscriptionId: string): boolean {
    return this.access.get(lower(oid))?.has(lower(subscriptionId)) ?? false;
  }

  /** Subscriptions the principal can read, optionally only those of one tenant, in insertion order. */
  accessibleSubscriptions(oid: string, tenantId?: string): FakeSubscription[] {
    return [...this.subscriptions.values()].filter(
      (s) => this.canAccess(oid, s.subscriptionId) && (tenantId === undefined || lower(s.tenantId) === lower(tenantId)),
    );
  }

  // ---- failure injection -------------------------------------------------------------------------------------

  /**
   * Queue responses for requests to `service` whose path matches (string: case-insensitive substring;
   * RegExp: tested against the path). Consumed in order, one per matching request, before normal handling.
   */
  injectFailures(service: ServiceName, match: string | RegExp, responses: InjectedResponse[]): void {
    this.failures.push({ service, match, responses: [...responses] });
  }

  injectArmFailures(match: string | RegExp, responses: InjectedResponse[]): void {
    this.injectFailures('arm', match, responses);
  }

  /** Next queued response for this request, if any (consumes it). */
  takeFailure(service: ServiceName, path: string): InjectedResponse | undefined {
    const rule = this.failures.find((f) => f.service === service && matchPath(f.match, path) && f.responses.length > 0);
    const response = rule?.responses.shift();
    this.failures = this.failures.filter((f) => f.responses.length > 0);
    return response;
  }

  /** Make on-behalf-of exchanges for this user fail with an Entra error. */
  failObo(oid: string, code: string, options: Omit<OboFailure, 'code'> = {}): void {
    this.oboFailures.set(lower(oid), { code: code.toUpperCase().startsWith('AADSTS') ? code : `AADSTS${code}`, ...options });
  }

  /** Without an oid: clear all. */
  clearObo(oid?: string): void {
    if (oid) this.oboFailures.delete(lower(oid));
    else this.oboFailures.clear();
  }

  takeOboFailure(oid: string): OboFailure | undefined {
    const failure = this.oboFailures.get(lower(oid));
    if (!failure) return undefined;
    if (failure.times !== undefined) {
      failure.times -= 1;
      if (failure.times <= 0) this.oboFailures.delete(lower(oid));
    }
    return failure;
  }

  // ---- request log -------------------------------------------------------------------------------------------

  record(record: RequestRecord): void {
    this.log.push(record);
  }

  requests(filter: RequestFilter = {}): RequestRecord[] {
    return this.log.filter((r) => matches(r, filter));
  }

  /** Token endpoint requests (POST .../token) only. */
  tokenRequests(filter: Omit<RequestFilter, 'service'> = {}): RequestRecord[] {
    return this.requests({ ...filter, service: 'entra' }).filter((r) => r.grantType !== undefined || /\/token$/i.test(r.path));
  }

  resetRequests(): void {
    this.log = [];
  }

  resetFailures(): void {
    this.failures = [];
    this.oboFailures.clear();
  }

  /** Request log, failures, page size and token lifetime back to their start values (data untouched). */
  reset(): void {
    this.resetRequests();
    this.resetFailures();
    this.pageSize = this.initialPageSize;
    this.tokenLifetimeSeconds = 3599;
  }

  /** Remember the current data as the state `resetData()` returns to (the fake calls this after loading defaults). */
  markData(): void {
    this.snapshot = structuredClone({
      tenants: [...this.tenants.values()],
      principals: [...this.principals.values()],
      clients: [...this.clients.values()],
      subscriptions: [...this.subscriptions.values()],
      resourceGroups: this.resourceGroups,
      resources: this.resources,
      access: [...this.access.entries()].map(([oid, set]): [string, string[]] => [oid, [...set]]),
      audiences: [...this.audiences],
    });
  }

  /** Directory, ARM data and access back to the marked (default) data. */
  resetData(): void {
    if (!this.snapshot) return;
    const s = structuredClone(this.snapshot);
    this.tenants.clear();
    this.principals.clear();
    this.clients.clear();
    this.subscriptions.clear();
    this.resourceGroups.length = 0;
    this.resources.length = 0;
    this.access.clear();
    this.audiences.clear();
    s.tenants.forEach((t) => this.addTenant(t));
    s.principals.forEach((p) => this.addPrincipal(p));
    s.clients.forEach((c) => this.clients.set(lower(c.clientId), c));
    s.subscriptions.forEach((sub) => this.subscriptions.set(lower(sub.subscriptionId), sub));
    this.resourceGroups.push(...s.resourceGroups);
    this.resources.push(...s.resources);
    s.access.forEach(([oid, ids]) => this.access.set(oid, new Set(ids)));
    s.audiences.forEach((a) => this.audiences.add(a));
  }

  private removeWhere<T>(list: T[], predicate: (item: T) => boolean): void {
    for (let i = list.length - 1; i >= 0; i--) if (predicate(list[i] as T)) list.splice(i, 1);
  }
}

function matchPath(match: string | RegExp, path: string): boolean {
  if (typeof match === 'string') return lower(path).includes(lower(match));
  match.lastIndex = 0;
  return match.test(path);
}

const GRANT_ALIASES: Record<string, string> = {
  obo: 'on_behalf_of',
  on_behalf_of: 'on_behalf_of',
  client_credentials: 'client_credentials',
};

function matches(r: RequestRecord, f: RequestFilter): boolean {
  if (f.service && r.service !== f.service) return false;
  if (f.method && lower(r.method) !== lower(f.method)) return false;
  if (f.path !== undefined && !matchPath(f.path, r.path)) return false;
  if (f.status !== undefined && r.status !== f.status) return false;
  if (f.oid && lower(r.principal?.oid ?? '') !== lower(f.oid)) return false;
  if (f.grantType) {
    const alias = GRANT_ALIASES[f.grantType];
    if (alias ? r.flow !== alias : r.grantType !== f.grantType) return false;
  }
  if (f.clientId && lower(r.clientId ?? '') !== lower(f.clientId)) return false;
  if (f.scope) {
    const wanted = lower(f.scope);
    const ok = lower(r.scope ?? '') === wanted || (r.resource !== undefined && lower(r.resource) === lower(stripDefault(f.scope)));
    if (!ok) return false;
  }
  if (f.assertionOid && lower(r.assertionOid ?? '') !== lower(f.assertionOid)) return false;
  if (f.clientAuth && r.clientAuth !== f.clientAuth) return false;
  if (f.error && r.error !== f.error) return false;
  return true;
}
