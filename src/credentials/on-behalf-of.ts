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
}

/** msal-node's LogLevel.Warning, as a number so the module is not loaded at start-up. */
const MSAL_LOG_LEVEL_WARNING = 1;
/** Renew this long before expiry, as @azure/identity does. */
const REFRESH_MARGIN_MS = 5 * 60_000;
const SWEEP_AT = 1_000;

interface CachedExchange {
  token: Promise<AccessToken>;
  /** Until then the entry is served; `Infinity` while the exchange is in flight. */
  freshUntil: number;
}

export class OnBehalfOfCredentialProvider implements AzureTokenCredentialProvider {
  readonly strategy = 'UseOnBehalfOf' as const;
  private readonly configuration: Configuration;
  /** Created on the first exchange: msal-node costs ~19 MB of memory a server that never exchanges need not pay. */
  private app?: Promise<ConfidentialClientApplication>;
  private readonly exchanges = new Map<string, CachedExchange>();

  constructor(private readonly options: OnBehalfOfOptions) {
    const { settings, cloud, logger, networkClient } = options;
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

  private exchange(ctx: RequestContext, caller: CallerIdentity, scopes: string[], options?: GetTokenOptions): Promise<AccessToken> {
    const assertionHash = createHash('sha256').update(caller.token).digest('base64url');
    const key = `${caller.tid.toLowerCase()}\u0000${assertionHash}\u0000${[...scopes].sort().join(' ')}`;
    const now = Date.now();
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
        const expiresOnTimestamp = result.expiresOn?.getTime() ?? Date.now() + REFRESH_MARGIN_MS;
        return { token: result.accessToken, expiresOnTimestamp, tokenType: 'Bearer' };
      })
      .catch((error: unknown) => {
        throw toOnBehalfOfError(error, { clientId: settings.clientId, tenantId: caller.tid, instance: settings.instance, resource });
      });

    const entry: CachedExchange = { token, freshUntil: Number.POSITIVE_INFINITY };
    this.exchanges.set(key, entry);
    token.then(
      (accessToken) => {
        entry.freshUntil = accessToken.expiresOnTimestamp - REFRESH_MARGIN_MS;
      },
      () => {
        if (this.exchanges.get(key) === entry) this.exchanges.delete(key);
      },
    );
    if (this.exchanges.size > SWEEP_AT) this.sweep(now);
    return token;
  }

  /** Drops expired exchanges so tokens of callers who left do not pile up. */
  private sweep(now: number): void {
    for (const [key, entry] of this.exchanges) if (entry.freshUntil <= now) this.exchanges.delete(key);
  }
}

const MICROSOFT_AUTHORITY_HOSTS = new Set(Object.values(NAMED_CLOUDS).map((c) => new URL(c.authorityHost).host));

export function instanceDiscoveryDisabled(cloud: CloudConfig, instance: string): boolean {
  return cloud.custom || !MICROSOFT_AUTHORITY_HOSTS.has(new URL(instance).host.toLowerCase());
}

function toArray(scopes: string | string[]): string[] {
  return Array.isArray(scopes) ? scopes : [scopes];
}
