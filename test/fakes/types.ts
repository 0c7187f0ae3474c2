/** Shared data types of the fake Azure (Entra ID, ARM, Graph, App Service managed identity). */

export type ServiceName = 'entra' | 'arm' | 'graph' | 'mi';

/** A user or an application (service principal / managed identity). */
export interface FakePrincipal {
  oid: string;
  /** Home tenant. */
  tid: string;
  kind: 'user' | 'app';
  /** Users: display name. Apps: display name of the service principal. */
  name?: string;
  upn?: string;
  /** Apps: the client (application) id. */
  appId?: string;
  /** Further tenants the principal exists in (guest users, multi-tenant apps); same oid everywhere in this fake. */
  tenants?: string[];
  /** Users: mail (Graph /me); defaults to upn. */
  mail?: string;
  /** Managed identities: the ARM resource id (`mi_res_id`). */
  resourceId?: string;
}

/** A confidential client (app registration) known to the fake Entra. */
export interface FakeClient {
  clientId: string;
  /** Home tenant. */
  tenantId: string;
  /** Object id of its service principal (the `oid` of its app tokens). */
  oid: string;
  displayName?: string;
  /** client_secret auth. */
  secret?: string;
  /** client_assertion signed with this certificate's private key (x5t / x5t#S256 header). */
  certificatePem?: string;
  /** client_assertion = a JWT issued by this fake with aud api://AzureADTokenExchange whose `sub` is listed here. */
  federatedSubjects?: string[];
  /** Further tenants where the app has a service principal (multi-tenant app). */
  tenants?: string[];
  /** App roles granted to this app, by resource (client id, `api://` URI or resource URL): go into `roles`. */
  appRoles?: Record<string, string[]>;
}

export interface FakeTenant {
  tenantId: string;
  displayName: string;
  defaultDomain: string;
  countryCode: string;
}

export interface FakeSubscription {
  subscriptionId: string;
  displayName: string;
  tenantId: string;
  state?: 'Enabled' | 'Disabled' | 'Warned' | 'PastDue' | 'Deleted';
  tags?: Record<string, string>;
}

export interface FakeResourceGroup {
  subscriptionId: string;
  name: string;
  location: string;
  tags?: Record<string, string>;
}

export interface FakeResource {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  /** e.g. `Microsoft.Storage/storageAccounts`. */
  type: string;
  location: string;
  kind?: string;
  sku?: { name: string; tier?: string };
  tags?: Record<string, string>;
  properties?: Record<string, unknown>;
  /** Storage accounts only. */
  createdAt?: string;
}

export interface RequestRecord {
  service: ServiceName;
  method: string;
  /** Path without the query string. */
  path: string;
  /** Raw query string including `?`, or ''. */
  query: string;
  status: number;
  at: number;
  /** Who the bearer token (arm/graph) or the issued token (mi) says the caller is. */
  principal?: { oid: string; tid: string; kind: 'user' | 'app'; appId?: string };
  /** Raw Authorization header value seen. */
  authorization?: string;
  /** Entra token requests: raw grant_type. */
  grantType?: string;
  /** Entra token requests: 'client_credentials' | 'on_behalf_of' | other grant name. */
  flow?: string;
  clientId?: string;
  /** Entra: requested resource scope with OIDC scopes removed (e.g. `https://management.azure.com/.default`); mi: resource. */
  scope?: string;
  /** Resource (audience) the scope names, without `/.default`. */
  resource?: string;
  /** Tenant segment of the token endpoint path as requested. */
  tenant?: string;
  /** OBO: oid of the user assertion. */
  assertionOid?: string;
  /** How the client authenticated at the token endpoint. */
  clientAuth?: 'secret' | 'certificate' | 'federated' | 'none';
  /** Federated client assertion: its `sub`. */
  clientAssertionSubject?: string;
  /** Entra: the client asked for a CAE-capable token (`claims` with `xms_cc`, as @azure/identity does for ARM clients). */
  cae?: boolean;
  /** Error code returned (`AADSTS65001`, `InvalidAuthenticationToken`, ...). */
  error?: string;
  /** True when the response came from failure injection. */
  injected?: boolean;
}

export interface InjectedResponse {
  status: number;
  /** Sets `Retry-After` (seconds). */
  retryAfter?: number;
  /** JSON body; default is the service's error shape for the status. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait before answering. */
  delayMs?: number;
  /** Destroy the connection instead of answering. */
  reset?: boolean;
}

export interface RequestFilter {
  service?: ServiceName;
  method?: string;
  /** String: case-insensitive substring of the path; RegExp: tested against the path. */
  path?: string | RegExp;
  status?: number;
  /** Principal oid (arm/graph/mi). */
  oid?: string;
  /** Raw grant type, or the aliases 'obo' / 'on_behalf_of' / 'client_credentials'. */
  grantType?: string;
  clientId?: string;
  /** Matches the recorded scope, or its resource (`X` matches `X/.default`). */
  scope?: string;
  assertionOid?: string;
  clientAuth?: RequestRecord['clientAuth'];
  error?: string;
}
