/**
 * Incoming Entra ID access tokens → a validated `CallerIdentity`, or a named error whose description says
 * which claim is wrong and what to do. Rules (CONTRACT.md "Incoming authentication"):
 *  - RS256 only, signed by a key of the tenant's JWKS (see signing-keys.ts);
 *  - issuer: the tenant's v2 issuer from OIDC discovery (`{Instance}{TenantId}/v2.0`) or the v1 form
 *    `https://sts.windows.net/{tid}/`; for `common`/`organizations` the token's own `tid` fills the tenant;
 *  - audience: `{ClientId}` or `api://{ClientId}`;
 *  - `exp` required, `exp`/`nbf` checked with 5 minutes of clock skew;
 *  - `oid` and `tid` required (they key rate limits, sessions and on-behalf-of caches).
 * Authorization is separate (`authorize`): a user token needs the scope in `scp`, an app token the role in `roles`.
 *
 * A client sends the same token with every request until it expires, and verifying its RS256 signature
 * costs ~100 µs of CPU: a validated token's caller is remembered (by the exact token) until the token
 * would be refused anyway (`exp` + skew), for at most `VALIDATED_TOKEN_TTL_MS`, so a signing key removed
 * from the tenant's JWKS stops its tokens within minutes. Refusals are never remembered.
 */
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { scopeUriOf, type IncomingAuthConfig } from '../config/azure-ad.js';
import type { CallerIdentity } from '../context/request-context.js';
import type { Logger } from '../logging/logger.js';
import { untrusted } from './challenge.js';
import { InsufficientScopeError, InvalidTokenError } from './errors.js';
import { SigningKeys, type SigningKeysOptions } from './signing-keys.js';

export const CLOCK_SKEW_SECONDS = 300;
/** Longest a validated token is trusted without verifying it again. */
export const VALIDATED_TOKEN_TTL_MS = 5 * 60_000;
export const DEFAULT_VALIDATED_TOKEN_CACHE_SIZE = 10_000;

export interface TokenValidator {
  /** Verify the token and read the caller from it. Throws InvalidTokenError or SigningKeysUnavailableError. */
  validate(token: string): Promise<CallerIdentity>;
  /** Fetch discovery and keys ahead of the first request; failures are logged, not thrown. */
  warmUp(): Promise<void>;
}

export interface TokenValidatorOptions extends Pick<SigningKeysOptions, 'fetch' | 'maxAgeMs' | 'unknownKidCooldownMs' | 'now'> {
  auth: IncomingAuthConfig;
  logger: Logger;
  /** Validated tokens remembered at most (default 10,000; the oldest goes first); 0 verifies every request. */
  cacheSize?: number;
}

interface EntraClaims extends JWTPayload {
  oid?: unknown;
  tid?: unknown;
  scp?: unknown;
  roles?: unknown;
  idtyp?: unknown;
  azp?: unknown;
  appid?: unknown;
  name?: unknown;
  upn?: unknown;
  preferred_username?: unknown;
}

export function openIdConfigurationUrl(auth: IncomingAuthConfig): string {
  return `${auth.instance}${auth.tenantId}/v2.0/.well-known/openid-configuration`;
}

export function createTokenValidator(options: TokenValidatorOptions): TokenValidator {
  const { auth, logger } = options;
  const keys = new SigningKeys({ ...options, discoveryUrl: openIdConfigurationUrl(auth), logger });
  const audiences = [auth.clientId, `api://${auth.clientId}`].map((a) => a.toLowerCase());
  const cacheSize = options.cacheSize ?? DEFAULT_VALIDATED_TOKEN_CACHE_SIZE;
  const validated = new Map<string, { caller: CallerIdentity; until: number }>();
  const remember = (token: string, caller: CallerIdentity, exp: number) => {
    if (cacheSize <= 0) return;
    if (validated.size >= cacheSize) validated.delete(validated.keys().next().value!);
    validated.set(token, { caller, until: Math.min((exp + CLOCK_SKEW_SECONDS) * 1000, Date.now() + VALIDATED_TOKEN_TTL_MS) });
  };

  return {
    async warmUp() {
      try {
        await keys.issuer();
      } catch (error) {
        logger.warn({ err: error }, 'could not load the signing keys yet; will retry on the first request');
      }
    },

    async validate(token) {
      const known = validated.get(token);
      if (known && Date.now() < known.until) return known.caller;
      if (known) validated.delete(token);

      let alg: unknown;
      try {
        alg = decodeProtectedHeader(token).alg;
      } catch (error) {
        throw new InvalidTokenError('The bearer token is not a JWT.', false, { cause: error });
      }
      if (alg !== 'RS256') {
        throw new InvalidTokenError(`The token is signed with ${untrusted(alg)}; only RS256 tokens from Entra ID are accepted.`);
      }

      let claims: EntraClaims;
      try {
        ({ payload: claims } = await jwtVerify<EntraClaims>(token, keys.getKey, {
          algorithms: ['RS256'],
          clockTolerance: CLOCK_SKEW_SECONDS,
          requiredClaims: ['exp'],
        }));
      } catch (error) {
        throw toInvalidToken(error);
      }

      const tid = stringClaim(claims, 'tid');
      const oid = stringClaim(claims, 'oid');
      checkIssuer(claims.iss, await keys.issuer(), tid, auth);
      checkAudience(claims.aud, audiences, auth);

      const scopes = typeof claims.scp === 'string' ? claims.scp.split(' ').filter((s) => s !== '') : [];
      const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
      const kind: CallerIdentity['kind'] = claims.idtyp === 'app' ? 'app' : claims.idtyp === 'user' || typeof claims.scp === 'string' ? 'user' : 'app';
      const caller: CallerIdentity = Object.freeze({
        kind,
        token,
        oid,
        tid,
        scopes,
        roles,
        clientAppId: optionalString(claims.azp) ?? optionalString(claims.appid),
        name: optionalString(claims.name),
        upn: optionalString(claims.upn) ?? optionalString(claims.preferred_username),
        expiresAt: claims.exp,
      });
      remember(token, caller, claims.exp!);
      return caller;
    },
  };
}

/** Throws InsufficientScopeError unless the caller holds the configured scope (user) or app role (app). */
export function authorize(caller: CallerIdentity, auth: IncomingAuthConfig): void {
  if (caller.kind === 'user') {
    if (caller.scopes.includes(auth.requiredScope)) return;
    throw new InsufficientScopeError(
      `The user token's scopes (scp: '${caller.scopes.join(' ')}') do not include ${auth.requiredScope}. Request a token for ${scopeUriOf(auth)}.`,
      scopeUriOf(auth),
    );
  }
  if (caller.roles.includes(auth.requiredRole)) return;
  throw new InsufficientScopeError(
    `The app token's roles (${caller.roles.length > 0 ? caller.roles.join(', ') : 'none'}) do not include the app role ${auth.requiredRole}. Assign that app role of the server's app registration to the calling application, then request a new token for ${scopeUriOf(auth, '.default')}.`,
    scopeUriOf(auth, '.default'),
  );
}

function toInvalidToken(error: unknown): Error {
  if (error instanceof InvalidTokenError || !(error instanceof errors.JOSEError)) return error as Error;
  if (error instanceof errors.JWTExpired) {
    const exp = (error.payload as JWTPayload).exp;
    return new InvalidTokenError(`The token expired${exp ? ` at ${new Date(exp * 1000).toISOString()}` : ''}; get a new token.`, false, { cause: error });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') {
      const nbf = (error.payload as JWTPayload).nbf;
      return new InvalidTokenError(`The token is not valid yet (nbf ${nbf ? new Date(nbf * 1000).toISOString() : 'in the future'}); check the clocks.`, false, { cause: error });
    }
    return new InvalidTokenError(`The token's ${error.claim} claim is ${error.reason === 'missing' ? 'missing' : 'invalid'}.`, false, { cause: error });
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new InvalidTokenError("The token's signature does not verify with the tenant's signing key it names.", false, { cause: error });
  }
  return new InvalidTokenError('The bearer token is not a well-formed signed JWT.', false, { cause: error });
}

function stringClaim(claims: EntraClaims, name: 'oid' | 'tid'): string {
  const value = claims[name];
  if (typeof value === 'string' && value !== '') return value;
  throw new InvalidTokenError(`The token has no ${name} claim; Entra ID access tokens for this server always carry one.`);
}

function checkIssuer(iss: unknown, discoveredIssuer: string, tid: string, auth: IncomingAuthConfig): void {
  // The discovery issuer carries the tenant id even when AzureAd__TenantId is a domain name; for
  // common/organizations it carries `{tenantid}`, which the token's own tid fills.
  const v2 = discoveredIssuer.replace('{tenantid}', tid);
  const tenant = v2.replace(/\/v2\.0\/?$/, '').split('/').pop() || tid;
  const v1 = `${v1IssuerHost(auth.instance)}${tenant}/`;
  const accepted = [v2, v1].map((i) => i.toLowerCase());
  if (typeof iss === 'string' && accepted.includes(iss.toLowerCase())) return;
  const expected = auth.multiTenant ? `${auth.instance}{tid}/v2.0 or ${v1IssuerHost(auth.instance)}{tid}/` : `${v2} or ${v1}`;
  throw new InvalidTokenError(
    `The token's issuer (iss '${String(iss)}', tid '${tid}') is not this server's tenant: expected ${expected}. Sign in to the tenant set in AzureAd__TenantId.`,
  );
}

function checkAudience(aud: unknown, accepted: readonly string[], auth: IncomingAuthConfig): void {
  const values = Array.isArray(aud) ? aud : [aud];
  if (values.some((a) => typeof a === 'string' && accepted.includes(a.toLowerCase()))) return;
  throw new InvalidTokenError(
    `The token's audience (aud '${values.map(String).join(', ')}') is not this server: expected ${auth.clientId} or api://${auth.clientId}. Request a token for ${scopeUriOf(auth)}.`,
  );
}

const optionalString = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * v1 tokens are issued by the cloud's security token service, not the login host: sts.chinacloudapi.cn
 * for login.chinacloudapi.cn, and sts.windows.net for the public and US Government clouds.
 */
export function v1IssuerHost(instance: string): string {
  return new URL(instance).host.toLowerCase() === 'login.chinacloudapi.cn' ? 'https://sts.chinacloudapi.cn/' : 'https://sts.windows.net/';
}
