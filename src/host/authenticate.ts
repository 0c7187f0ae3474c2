/**
 * The bearer-token hook of the /mcp plugin: runs on `onRequest`, before the body is read, so anonymous
 * callers cost nothing. Tokens are taken from the `Authorization: Bearer` header only; a token in the
 * query string is refused (it would sit in proxy and access logs). The validated caller becomes the
 * SDK's `AuthInfo` on `request.auth`, which the transport hands to tool handlers as `extra.authInfo`.
 * Refusals with 401 are counted per client address (failed-auth-limit.ts); past that limit they become 429.
 */
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { IncomingAuthConfig } from '../config/azure-ad.js';
import type { CallerIdentity } from '../context/request-context.js';
import { insufficientScopeChallenge, unauthorizedChallenge } from './challenge.js';
import { HostError, InsufficientScopeError, InvalidTokenError } from './errors.js';
import { FailedAuthLimit } from './failed-auth-limit.js';
import { jsonRpcError, SERVER_ERROR } from './json-rpc.js';
import type { PublicUrls } from './public-urls.js';
import { authorize, type TokenValidator } from './token-validator.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The validated caller as the MCP SDK expects it; null on public routes and unauthenticated hosts. */
    auth: AuthInfo | null;
  }
}

/** RFC 6750 b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

export interface AuthenticateOptions {
  auth: IncomingAuthConfig;
  validator: TokenValidator;
  urls: PublicUrls;
  /** 401s per minute per client address before they become 429; 0 = no limit. */
  maxUnauthenticatedPerMinutePerIp: number;
  /** Clock for the per-address windows (tests). */
  now?: () => number;
}

export function createAuthenticateHook({ auth, validator, urls, maxUnauthenticatedPerMinutePerIp, now }: AuthenticateOptions): onRequestAsyncHookHandler {
  const failures = maxUnauthenticatedPerMinutePerIp > 0 ? new FailedAuthLimit(maxUnauthenticatedPerMinutePerIp, now) : undefined;
  return async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    try {
      const caller = await validator.validate(bearerToken(request));
      authorize(caller, auth);
      request.auth = toAuthInfo(caller);
    } catch (error) {
      if (!(error instanceof HostError)) throw error;
      const over = error instanceof InvalidTokenError ? failures?.count(request.ip) : undefined;
      if (over) return refuseOverLimit(request, reply, over.retryAfterSeconds, over.first, failures!.max);
      request.log.info({ code: error.code, reason: error.message }, 'request refused');
      const metadata = urls.metadata(request);
      if (error instanceof InvalidTokenError) {
        reply.header('www-authenticate', unauthorizedChallenge(metadata, error.missing ? undefined : error.message));
      } else if (error instanceof InsufficientScopeError) {
        reply.header('www-authenticate', insufficientScopeChallenge(metadata, error.scope));
      } else {
        reply.header('retry-after', '5');
      }
      const oauthError = error instanceof InvalidTokenError ? 'invalid_token' : error instanceof InsufficientScopeError ? 'insufficient_scope' : 'temporarily_unavailable';
      return reply.code(error.statusCode).send({ error: oauthError, error_description: error.message });
    }
  };
}

function refuseOverLimit(request: FastifyRequest, reply: FastifyReply, retryAfterSeconds: number, first: boolean, max: number) {
  if (first) {
    request.log.warn(
      { code: 'AZMCP_RATE_LIMITED', address: request.ip },
      'an address exceeded AzureMcp__MaxUnauthenticatedRequestsPerMinutePerIp; its requests failing authentication get 429 until its minute is over',
    );
  }
  return reply
    .code(429)
    .header('retry-after', String(retryAfterSeconds))
    .send(
      jsonRpcError(
        SERVER_ERROR,
        `Rate limit exceeded: at most ${max} requests per minute from one address may fail authentication; retry in ${retryAfterSeconds} seconds with a valid bearer token.`,
      ),
    );
}

function bearerToken(request: FastifyRequest): string {
  if (hasQueryToken(request.url)) {
    throw new InvalidTokenError('Tokens are accepted only in the Authorization header, never in the query string (it ends up in logs); send Authorization: Bearer <token>.');
  }
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') throw new InvalidTokenError('No bearer token was presented.', true);
  const match = BEARER.exec(header);
  if (match) return match[1]!;
  if (/^Bearer\b/i.test(header)) throw new InvalidTokenError('The Authorization header has no usable bearer token after "Bearer ".');
  // Name the scheme only when it looks like one: a bare token without a scheme must not be echoed or logged.
  const scheme = /^([A-Za-z][A-Za-z0-9-]{0,19}) /.exec(header)?.[1];
  throw new InvalidTokenError(
    `The Authorization header ${scheme ? `uses the '${scheme}' scheme` : 'is not a Bearer credential'}; send Authorization: Bearer <Entra ID access token>.`,
  );
}

function hasQueryToken(url: string): boolean {
  const query = url.indexOf('?');
  if (query < 0) return false;
  return new URLSearchParams(url.slice(query + 1)).has('access_token');
}

function toAuthInfo(caller: CallerIdentity): AuthInfo {
  return {
    token: caller.token,
    clientId: caller.clientAppId ?? '',
    scopes: [...(caller.kind === 'user' ? caller.scopes : caller.roles)],
    expiresAt: caller.expiresAt,
    extra: { caller },
  };
}
