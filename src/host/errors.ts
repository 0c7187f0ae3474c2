/**
 * Errors of the HTTP host, each with a stable code (a row in TROUBLESHOOTING.md) and the HTTP status it
 * answers with. Descriptions are written for the caller: they name the claim at fault and what to do, and
 * never contain the token.
 */
import type { ErrorCode } from '../errors/azmcp-error.js';

export type HostErrorCode = Extract<ErrorCode, 'AZMCP_INVALID_TOKEN' | 'AZMCP_INSUFFICIENT_SCOPE' | 'AZMCP_SIGNING_KEYS_UNAVAILABLE' | 'AZMCP_RATE_LIMITED'>;

export abstract class HostError extends Error {
  abstract readonly code: HostErrorCode;
  abstract readonly statusCode: number;
}

/** 401: no usable bearer token. `missing` means none was presented at all (the challenge then carries no error). */
export class InvalidTokenError extends HostError {
  override readonly name = 'InvalidTokenError';
  readonly code = 'AZMCP_INVALID_TOKEN';
  readonly statusCode = 401;
  constructor(
    description: string,
    readonly missing = false,
    options?: { cause?: unknown },
  ) {
    super(description, options);
  }
}

/** 403: a valid token without the scope (users) or app role (apps) this server requires. */
export class InsufficientScopeError extends HostError {
  override readonly name = 'InsufficientScopeError';
  readonly code = 'AZMCP_INSUFFICIENT_SCOPE';
  readonly statusCode = 403;
  /** The scope the client should request, e.g. `api://{ClientId}/Mcp.Tools.ReadWrite`. */
  constructor(
    description: string,
    readonly scope: string,
  ) {
    super(description);
  }
}

/** 503: the tenant's OIDC metadata or signing keys could not be fetched, so no token can be checked. */
export class SigningKeysUnavailableError extends HostError {
  override readonly name = 'SigningKeysUnavailableError';
  readonly code = 'AZMCP_SIGNING_KEYS_UNAVAILABLE';
  readonly statusCode = 503;
  constructor(description: string, options?: { cause?: unknown }) {
    super(description, options);
  }
}

/** 429: the caller sent more requests per minute than the server allows (AzureMcp__MaxRequestsPerMinutePerCaller). */
export class RateLimitedError extends HostError {
  override readonly name = 'RateLimitedError';
  readonly code = 'AZMCP_RATE_LIMITED';
  readonly statusCode = 429;
}
