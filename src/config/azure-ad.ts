/**
 * Settings of the remote (HTTP) host, read once at start-up from `Settings` (environment `AzureAd__ClientId`
 * over the `--config` JSON file). Incoming authentication needs `AzureAd:TenantId` and `AzureAd:ClientId`;
 * a missing one stops the start with one line naming the key, rather than serving broken metadata.
 *
 * Keys (environment form):
 *   AzureAd__Instance                         authority host, default the --cloud's (https://login.microsoftonline.com/ for AzureCloud)
 *   AzureAd__TenantId                         tenant id (or `organizations` / `common` for multi-tenant apps)
 *   AzureAd__ClientId                         the MCP server's app registration (the token audience)
 *   AzureMcp__RequiredScope                   delegated scope user tokens need in `scp` (default Mcp.Tools.ReadWrite)
 *   AzureMcp__RequiredRole                    app role app tokens need in `roles` (default Mcp.Tools.ReadWrite.All)
 *   AzureMcp__PublicBaseUrl                   https://host[:port] clients use, for metadata behind a TLS-terminating proxy
 *   AzureMcp__MaxRequestsPerMinutePerCaller   per-caller rate limit on /mcp (default 100; 0 turns it off)
 *   AzureMcp__MaxSessions                     open MCP sessions at most (default 1000)
 *   AzureMcp__MaxSessionsPerCaller            sessions one caller may hold; opening one more closes its least recently used (default 10)
 *   AzureMcp__MaxUnauthenticatedRequestsPerMinutePerIp
 *                                             /mcp requests failing authentication (401) per minute per client address before
 *                                             they get 429 (default 300; 0 turns it off)
 *   AzureMcp__SessionIdleTimeoutSeconds       an idle session is closed after this long (default 1800)
 *   AzureMcp__CorsAllowedOrigins              comma-separated origins, or `*` (default: `*`; loopback origins only on a loopback bind)
 */
import { ConfigurationError } from '../errors/azmcp-error.js';
import { NAMED_CLOUDS, type CloudConfig } from './cloud.js';
import type { HttpConfig } from './server-options.js';
import type { Settings } from './settings.js';

const AZURE_CLOUD = NAMED_CLOUDS.AzureCloud!;
export const DEFAULT_REQUIRED_SCOPE = 'Mcp.Tools.ReadWrite';
export const DEFAULT_REQUIRED_ROLE = 'Mcp.Tools.ReadWrite.All';
export const DEFAULT_MAX_REQUESTS_PER_MINUTE_PER_CALLER = 100;
export const DEFAULT_MAX_SESSIONS = 1000;
export const DEFAULT_MAX_SESSIONS_PER_CALLER = 10;
export const DEFAULT_MAX_UNAUTHENTICATED_REQUESTS_PER_MINUTE_PER_IP = 300;
export const DEFAULT_SESSION_IDLE_TIMEOUT_SECONDS = 1800;

/** Tenant values that stand for "any tenant": the issuer is then checked against the token's own `tid`. */
const MULTI_TENANT = ['common', 'organizations'];

export interface IncomingAuthConfig {
  /** Authority host with a trailing slash, e.g. `https://login.microsoftonline.com/`. */
  instance: string;
  tenantId: string;
  clientId: string;
  /** Delegated scope a user token needs in `scp`, e.g. `Mcp.Tools.ReadWrite`. */
  requiredScope: string;
  /** App role an app token needs in `roles`, e.g. `Mcp.Tools.ReadWrite.All`. */
  requiredRole: string;
  /** True for `common` / `organizations`: any tenant's issuer, matched against the token's `tid`. */
  multiTenant: boolean;
}

export interface HttpHostConfig extends HttpConfig {
  /** Undefined when incoming authentication is disabled. */
  auth?: IncomingAuthConfig;
  /** Origin clients use (`https://mcp.contoso.com`), overriding the request's Host in metadata. */
  publicBaseUrl?: string;
  /** 0 = no per-caller limit. */
  maxRequestsPerMinutePerCaller: number;
  maxSessions: number;
  /** Sessions one caller (tid/oid) may hold; opening one more closes that caller's least recently used. */
  maxSessionsPerCaller: number;
  /** 0 = no limit on /mcp requests failing authentication per client address. */
  maxUnauthenticatedRequestsPerMinutePerIp: number;
  sessionIdleTimeoutSeconds: number;
  /** `*` or a list of origins; undefined = the default for the bind address. */
  corsAllowedOrigins?: '*' | string[];
}

export function resolveHttpHostConfig(http: HttpConfig, settings: Settings, cloud: CloudConfig = AZURE_CLOUD): HttpHostConfig {
  return {
    ...http,
    auth: http.incomingAuth ? resolveIncomingAuth(settings, cloud) : undefined,
    publicBaseUrl: resolvePublicBaseUrl(settings.get('AzureMcp:PublicBaseUrl')),
    maxRequestsPerMinutePerCaller: wholeNumber(settings, 'AzureMcp:MaxRequestsPerMinutePerCaller', DEFAULT_MAX_REQUESTS_PER_MINUTE_PER_CALLER, 0),
    maxSessions: wholeNumber(settings, 'AzureMcp:MaxSessions', DEFAULT_MAX_SESSIONS, 1),
    maxSessionsPerCaller: wholeNumber(settings, 'AzureMcp:MaxSessionsPerCaller', DEFAULT_MAX_SESSIONS_PER_CALLER, 1),
    maxUnauthenticatedRequestsPerMinutePerIp: wholeNumber(
      settings,
      'AzureMcp:MaxUnauthenticatedRequestsPerMinutePerIp',
      DEFAULT_MAX_UNAUTHENTICATED_REQUESTS_PER_MINUTE_PER_IP,
      0,
    ),
    sessionIdleTimeoutSeconds: wholeNumber(settings, 'AzureMcp:SessionIdleTimeoutSeconds', DEFAULT_SESSION_IDLE_TIMEOUT_SECONDS, 1),
    corsAllowedOrigins: resolveOrigins(settings.get('AzureMcp:CorsAllowedOrigins')),
  };
}

/** Without AzureAd__Instance the authority is the cloud's, as for on-behalf-of: one setting, one authority. */
export function resolveIncomingAuth(settings: Settings, cloud: CloudConfig = AZURE_CLOUD): IncomingAuthConfig {
  const instance = settings.get('AzureAd:Instance') ?? cloud.authorityHost;
  if (!isHttpUrl(instance)) {
    throw new ConfigurationError(`AzureAd__Instance '${instance}' is not an http(s) URL: use the authority host, e.g. ${AZURE_CLOUD.authorityHost}.`);
  }
  const tenantId = required(settings, 'AzureAd:TenantId', "the Entra tenant id of the server's app registration");
  const clientId = required(settings, 'AzureAd:ClientId', "the server's app registration (application) id, the audience of incoming tokens");
  return {
    instance: instance.endsWith('/') ? instance : `${instance}/`,
    tenantId,
    clientId,
    requiredScope: settings.get('AzureMcp:RequiredScope') ?? DEFAULT_REQUIRED_SCOPE,
    requiredRole: settings.get('AzureMcp:RequiredRole') ?? DEFAULT_REQUIRED_ROLE,
    multiTenant: MULTI_TENANT.includes(tenantId.toLowerCase()),
  };
}

/** `{Instance}{TenantId}/v2.0`: the authorization server advertised in metadata. */
export const authorityOf = (auth: IncomingAuthConfig): string => `${auth.instance}${auth.tenantId}/v2.0`;

/** The full scope a client requests for this server, e.g. `api://{ClientId}/Mcp.Tools.ReadWrite`. */
export const scopeUriOf = (auth: IncomingAuthConfig, scope: string = auth.requiredScope): string => `api://${auth.clientId}/${scope}`;

function required(settings: Settings, key: string, what: string): string {
  const value = settings.get(key);
  if (value) return value;
  const envName = key.split(':').join('__');
  throw new ConfigurationError(
    `${envName} is not set: incoming authentication needs ${what}. Set ${envName} (or ${key} in the --config file), or use --dangerously-disable-http-incoming-auth for local testing.`,
  );
}

function resolvePublicBaseUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash || url.username || (url.pathname !== '/' && url.pathname !== '')) {
    throw new ConfigurationError(
      `AzureMcp__PublicBaseUrl '${value}' must be an origin such as https://mcp.contoso.com or https://mcp.contoso.com:8443 (scheme, host and port; no path).`,
    );
  }
  return url.origin;
}

function resolveOrigins(value: string | undefined): '*' | string[] | undefined {
  if (value === undefined) return undefined;
  const origins = value.split(',').map((o) => o.trim()).filter((o) => o !== '');
  if (origins.includes('*')) return '*';
  for (const origin of origins) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin.replace(/\/$/, '')) {
      throw new ConfigurationError(`AzureMcp__CorsAllowedOrigins: '${origin}' is not an origin (scheme://host[:port]); separate several with commas, or use *.`);
    }
  }
  return origins.map((o) => o.replace(/\/$/, ''));
}

function wholeNumber(settings: Settings, key: string, fallback: number, min: number): number {
  const value = settings.get(key);
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw new ConfigurationError(`${key.split(':').join('__')} must be a whole number of at least ${min}; got '${value}'.`);
  }
  return n;
}

const isHttpUrl = (value: string) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
