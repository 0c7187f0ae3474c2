/**
 * The tenant's token-signing keys, from OIDC discovery (`{Instance}{TenantId}/v2.0/.well-known/openid-configuration`
 * → `jwks_uri`). Loaded on first use, kept for `maxAgeMs`, and fetched again at once when a token names a key
 * id (`kid`) we do not hold — Entra rotates keys and a new one must work immediately, not after a periodic
 * refresh. Refetches for unknown kids are spaced by `unknownKidCooldownMs`, so random kids cannot make every
 * request a JWKS download. Loads are shared: concurrent callers wait on one fetch. After a failed load the
 * next fetch waits for the same cooldown, and requests meanwhile get the failure again (503) at no cost: while
 * Entra is unreachable, tokens with RS256 headers cannot make every request a discovery download.
 */
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { Logger } from '../logging/logger.js';
import { untrusted } from './challenge.js';
import { InvalidTokenError, SigningKeysUnavailableError } from './errors.js';

export interface SigningKeysOptions {
  /** The OpenID configuration URL. */
  discoveryUrl: string;
  logger: Logger;
  fetch?: typeof fetch;
  /** Keys are fetched again after this long (default 12 h, as Microsoft.IdentityModel does). */
  maxAgeMs?: number;
  /** Least time between refetches caused by unknown kids, and from a failed load to the next try (default 10 s). */
  unknownKidCooldownMs?: number;
  /** Per-request timeout for discovery and JWKS (default 10 s). */
  timeoutMs?: number;
  now?: () => number;
}

interface Loaded {
  /** `issuer` of the discovery document, e.g. `https://login.microsoftonline.com/{tid}/v2.0` (or `{tenantid}` for multi-tenant). */
  issuer: string;
  keys: JWTVerifyGetKey;
  kids: ReadonlySet<string>;
  loadedAt: number;
}

export class SigningKeys {
  private loaded?: Loaded;
  private loading?: Promise<Loaded>;
  private lastUnknownKidRefetch = Number.NEGATIVE_INFINITY;
  private lastFailure?: { error: unknown; at: number };
  private readonly fetch: typeof fetch;
  private readonly maxAgeMs: number;
  private readonly cooldownMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly options: SigningKeysOptions) {
    this.fetch = options.fetch ?? fetch;
    this.maxAgeMs = options.maxAgeMs ?? 12 * 60 * 60 * 1000;
    this.cooldownMs = options.unknownKidCooldownMs ?? 10_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** The discovery document's issuer. */
  async issuer(): Promise<string> {
    return (await this.current()).issuer;
  }

  /** A key resolver for `jwtVerify`: the key for the token's `kid`, refetching once if it is unknown. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const kid = header.kid;
    if (typeof kid !== 'string' || kid === '') {
      throw new InvalidTokenError('The token header has no key id (kid); Entra access tokens always carry one.');
    }
    let loaded = await this.current();
    if (!loaded.kids.has(kid) && this.now() - this.lastUnknownKidRefetch >= this.cooldownMs) {
      this.lastUnknownKidRefetch = this.now();
      this.options.logger.info({ kid: kid.slice(0, 64) }, 'token names an unknown signing key; fetching the signing keys again');
      loaded = await this.reload(loaded);
    }
    if (!loaded.kids.has(kid)) {
      throw new InvalidTokenError(`The token is signed with a key (kid ${untrusted(kid)}) that is not among the tenant's published signing keys.`);
    }
    return loaded.keys(header, token);
  };

  private async current(): Promise<Loaded> {
    const loaded = this.loaded;
    if (!loaded) return this.load();
    if (this.now() - loaded.loadedAt >= this.maxAgeMs) return this.reload(loaded);
    return loaded;
  }

  /** Reload, but keep serving the keys we have if Entra cannot be reached; try again after the cooldown. */
  private async reload(previous: Loaded): Promise<Loaded> {
    try {
      return await this.load();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not refresh the signing keys; keeping the ones already loaded');
      previous.loadedAt = this.now() - this.maxAgeMs + this.cooldownMs;
      return previous;
    }
  }

  private load(): Promise<Loaded> {
    const failure = this.lastFailure;
    if (failure && this.now() - failure.at < this.cooldownMs) return Promise.reject(failure.error);
    this.loading ??= this.fetchKeys()
      .then(
        (loaded) => {
          this.lastFailure = undefined;
          return loaded;
        },
        (error: unknown) => {
          this.lastFailure = { error, at: this.now() };
          throw error;
        },
      )
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  private async fetchKeys(): Promise<Loaded> {
    const discovery = await this.getJson(this.options.discoveryUrl, 'OpenID configuration');
    const issuer = discovery.issuer;
    const jwksUri = discovery.jwks_uri;
    if (typeof issuer !== 'string' || typeof jwksUri !== 'string') {
      throw new SigningKeysUnavailableError(`The OpenID configuration at ${this.options.discoveryUrl} has no issuer or jwks_uri.`);
    }
    const jwks = await this.getJson(jwksUri, 'signing keys (JWKS)');
    if (!Array.isArray(jwks.keys)) throw new SigningKeysUnavailableError(`The signing keys at ${jwksUri} are not a JWKS (no keys array).`);
    const set = jwks as unknown as JSONWebKeySet;
    const kids = new Set(set.keys.map((k) => k.kid).filter((kid): kid is string => typeof kid === 'string'));
    const loaded: Loaded = { issuer, keys: createLocalJWKSet(set), kids, loadedAt: this.now() };
    this.loaded = loaded;
    this.options.logger.debug({ jwksUri, keys: kids.size }, 'signing keys loaded');
    return loaded;
  }

  private async getJson(url: string, what: string): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await this.fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new SigningKeysUnavailableError(`Cannot fetch the tenant's ${what} from ${url}: ${describeFetchError(error)}.`, { cause: error });
    }
    if (!response.ok) {
      throw new SigningKeysUnavailableError(`Fetching the tenant's ${what} from ${url} answered HTTP ${response.status}; check AzureAd__Instance and AzureAd__TenantId.`);
    }
    try {
      const body: unknown = await response.json();
      if (body && typeof body === 'object') return body as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw new SigningKeysUnavailableError(`The tenant's ${what} at ${url} is not a JSON object.`);
  }
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
