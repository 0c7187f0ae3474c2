/**
 * UseOnBehalfOf: each request reaches Azure as its caller. The caller's validated incoming token is
 * exchanged (OAuth 2.0 on-behalf-of) for a token to ARM or Graph; the incoming token itself is only ever
 * sent to Entra's token endpoint, as the assertion.
 *
 * One MSAL confidential client serves the whole process (authority metadata, client assertion and token
 * cache are shared), and exchanged tokens are kept per (caller token, tenant, resource) until shortly
 * before they expire — so N tool calls by one user cost one exchange per resource, and concurrent first
 * calls share the one exchange in flight. Entries are keyed by a hash of the caller's own token, so one
 * caller can never be handed another's token.
 *
 * Bounded, as MSAL's HTTP client sets no timeout: an exchange in flight is joined for 30 s at most (later
 * calls start a fresh one rather than wait on a stuck endpoint), each call stops on its own abort signal
 * without cancelling the exchange for the others, and at most 10,000 exchanges are kept (oldest first out).
 *
 * Fails closed: no caller → AZMCP_NO_CALLER_IDENTITY (never the hosting identity); a tenant other than
 * the caller's → AZMCP_TENANT_MISMATCH; an app-only caller → AZMCP_APP_ONLY_CALLER, unless the server was
 * started with `--app-only-caller-strategy UseHostingEnvironmentIdentity`.
 */
import { createHash } from 'node:crypto';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import type { ConfidentialClientApplication, Configuration, INetworkModule } from '@azure/msal-node';
import { NAMED_CLOUDS, type CloudConfig } from '../config/cloud.js';
import type { OnBehalfOfSettings } from '../config/client-credentials.js';
import type { CallerIdentity, RequestContext } from '../context/request-context.js';
import { AzmcpError } from '../errors/azmcp-error.js';
import type { Logger } from '../logging/logger.js';
import { buildClientAuth } from './client-assertion.js';
import { toOnBehalfOfError } from './entra-errors.js';
import type { AzureTokenCredentialProvider } from './provider.js';

export interface OnBehalfOfOptions {
  cloud: CloudConfig;
  settings: OnBehalfOfSettings;
  logger: Logger;
  /** Serves app-only callers (`--app-only-caller-strategy UseHostingEnvironmentIdentity`); absent: they are refused. */
  appOnlyCallers?: AzureTokenCredentialProvider;
  /** MSAL network client. Only tests set it (to trust their CA); production uses MSAL's own. */
  networkClient?: INetworkModule;
  /** Exchanges remembered at most (default 10,000; the oldest goes first). Tests set a small one. */
  cacheSize?: number;
  /** Clock, in ms since the epoch; tests set it to step past the in-flight bound. */
  now?: () => number;
}

type AbortSignalLike = NonNullable<GetTokenOptions['abortSignal']>;

/** msal-node's LogLevel.Warning, as a number so the module is not loaded at start-up. */
const MSAL_LOG_LEVEL_WARNING = 1;
/** Renew this long before expiry, as @azure/identity does. */
const REFRESH_MARGIN_MS = 5 * 60_000;
/** How long calls join an exchange still in flight; after that a new call starts its own. */
const IN_FLIGHT_SHARE_MS = 30_000;
const DEFAULT_CACHE_SIZE = 10_000;

interface CachedExchange {
  token: Promise<AccessToken>;
  /** Until then the entry is served: while in flight, `IN_FLIGHT_SHARE_MS` after it started; then until shortly before expiry. */
  freshUntil: number;
}

export class OnBehalfOfCredentialProvider implements AzureTokenCredentialProvider {
  readonly strategy = 'UseOnBehalfOf' as const;
  private readonly configuration: Configuration;
  /** Created on the first exchange: msal-node costs ~19 MB of memory a server that never exchanges need not pay. */
  private app?: Promise<ConfidentialClientApplication>;
  /** In insertion order (an entry replaced is inserted anew), so the oldest is first. */
  private readonly exchanges = new Map<string, CachedExchange>();
  private readonly now: () => number;
  private readonly cacheSize: number;

  constructor(private readonly options: OnBehalfOfOptions) {
    const { settings, cloud, logger, networkClient } = options;
    this.now = options.now ?? Date.now;
    this.cacheSize = Math.max(1, options.cacheSize ?? DEFAULT_CACHE_SIZE);
    const authority = `${settings.instance}${settings.tenantId}`;
    // The client credential is read and checked here, at start-up; only MSAL itself waits for first use.
    this.configuration = {
      auth: {
        clientId: settings.clientId,
        authority,
        // Entra instance discovery only knows Microsoft's hosts: any other authority (a custom cloud,
        // Azure Stack, the test bed) is trusted as given instead of being looked up.
        knownAuthorities: instanceDiscoveryDisabled(cloud, settings.instance) ? [settings.instance] : [],
        ...buildClientAuth(settings.credential, { networkClient }),
      },
      system: {
        ...(networkClient ? { networkClient } : {}),
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: MSAL_LOG_LEVEL_WARNING,
          loggerCallback: (level, message) => {
            if (level <= MSAL_LOG_LEVEL_WARNING) logger.debug({ msal: message }, 'msal');
          },
        },
      },
    };
  }

  private client(): Promise<ConfidentialClientApplication> {
    this.app ??= import('@azure/msal-node').then(({ ConfidentialClientApplication }) => new ConfidentialClientApplication(this.configuration));
    return this.app;
  }

  async getCredential(ctx: RequestContext, tenantId?: string): Promise<TokenCredential> {
    const caller = ctx.caller;
    if (!caller) {
      throw new AzmcpError('AZMCP_NO_CALLER_IDENTITY', 'This server calls Azure on behalf of its caller, but this request has no authenticated caller.', {
        nextStep: 'Call the server over HTTP with an Entra ID access token (incoming authentication enabled); the server never falls back to its own identity.',
      });
    }
    if (tenantId && tenantId.toLowerCase() !== caller.tid.toLowerCase()) {
      throw new AzmcpError(
        'AZMCP_TENANT_MISMATCH',
        `The server acts on behalf of the caller, who signed in to tenant ${caller.tid}; it cannot act in tenant ${tenantId}.`,
        {
          nextStep: `Omit the tenant argument or pass ${caller.tid}; to work in tenant ${tenantId}, sign in to the MCP server with an account of that tenant.`,
        },
      );
    }
    if (caller.kind === 'app') {
      if (this.options.appOnlyCallers) return this.options.appOnlyCallers.getCredential(ctx, tenantId);
      throw new AzmcpError(
        'AZMCP_APP_ONLY_CALLER',
        `The caller is an application (app-only token for client ${caller.clientAppId ?? caller.oid}); on-behalf-of needs a signed-in user.`,
        {
          nextStep:
            'Call with a user token, or start the server with --app-only-caller-strategy UseHostingEnvironmentIdentity to serve app-only callers with the server\'s own identity (see TROUBLESHOOTING.md).',
        },
      );
    }
    return {
      getToken: (scopes: string | string[], options?: GetTokenOptions) => this.exchange(ctx, caller, toArray(scopes), options),
    };
  }

  /** The exchange for this call, shared or new, given up when this call's own signal aborts. */
  private exchange(ctx: RequestContext, caller: CallerIdentity, scopes: string[], options?: GetTokenOptions): Promise<AccessToken> {
    const signal = options?.abortSignal;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return untilAborted(this.sharedExchange(ctx, caller, scopes, options), signal);
  }

  private sharedExchange(ctx: RequestContext, caller: CallerIdentity, scopes: string[], options?: GetTokenOptions): Promise<AccessToken> {
    const assertionHash = createHash('sha256').update(caller.token).digest('base64url');
    const key = `${caller.tid.toLowerCase()}\u0000${assertionHash}\u0000${[...scopes].sort().join(' ')}`;
    const now = this.now();
    const cached = this.exchanges.get(key);
    // A claims challenge (Conditional Access, continuous access evaluation) means the cached token was refused.
    if (cached && cached.freshUntil > now && !options?.claims) return cached.token;

    const { settings } = this.options;
    const resource = scopes.join(' ');
    const token = this.client()
      .then((app) => app.acquireTokenOnBehalfOf({
        oboAssertion: caller.token,
        scopes,
        authority: `${settings.instance}${caller.tid}`,
        correlationId: ctx.requestId,
        ...(options?.claims ? { claims: options.claims } : {}),
      }))
      .then((result): AccessToken => {
        if (!result?.accessToken) throw new Error('On-behalf-of returned no access token.');
        ctx.logger.debug({ oid: caller.oid, tid: caller.tid, resource, fromCache: result.fromCache }, 'on-behalf-of token');
        const expiresOnTimestamp = result.expiresOn?.getTime() ?? this.now() + REFRESH_MARGIN_MS;
        return { token: result.accessToken, expiresOnTimestamp, tokenType: 'Bearer' };
      })
      .catch((error: unknown) => {
        throw toOnBehalfOfError(error, { clientId: settings.clientId, tenantId: caller.tid, instance: settings.instance, resource });
      });

    const entry: CachedExchange = { token, freshUntil: now + IN_FLIGHT_SHARE_MS };
    this.remember(key, entry, now);
    token.then(
      (accessToken) => {
        entry.freshUntil = accessToken.expiresOnTimestamp - REFRESH_MARGIN_MS;
      },
      () => {
        if (this.exchanges.get(key) === entry) this.exchanges.delete(key);
      },
    );
    return token;
  }

  /**
   * Inserts the entry last, first dropping from the oldest end those expired and, at the cap, the oldest:
   * each entry is looked at about once, so tokens of callers who left do not pile up and no insert walks
   * the whole map. An expired entry behind a younger live one waits for it or for the cap.
   */
  private remember(key: string, entry: CachedExchange, now: number): void {
    this.exchanges.delete(key);
    for (const [oldestKey, oldest] of this.exchanges) {
      if (this.exchanges.size < this.cacheSize && oldest.freshUntil > now) break;
      this.exchanges.delete(oldestKey);
    }
    this.exchanges.set(key, entry);
  }
}

const MICROSOFT_AUTHORITY_HOSTS = new Set(Object.values(NAMED_CLOUDS).map((c) => new URL(c.authorityHost).host));

export function instanceDiscoveryDisabled(cloud: CloudConfig, instance: string): boolean {
  return cloud.custom || !MICROSOFT_AUTHORITY_HOSTS.has(new URL(instance).host.toLowerCase());
}

/** The shared promise's outcome, or the signal's reason as soon as it aborts; the shared promise runs on. */
function untilAborted<T>(shared: Promise<T>, signal: AbortSignalLike | undefined): Promise<T> {
  if (!signal) return shared;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    void shared.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The reason given to `abort()` (a native signal's default is a DOMException named AbortError), or one like it. */
function abortReason(signal: AbortSignalLike): unknown {
  return (signal as { reason?: unknown }).reason ?? new DOMException('The token request was aborted.', 'AbortError');
}

function toArray(scopes: string | string[]): string[] {
  return Array.isArray(scopes) ? scopes : [scopes];
}
