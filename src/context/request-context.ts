/**
 * The per-request context every tool handler, service and credential provider receives explicitly.
 * Identity travels here, never through globals or AsyncLocalStorage: under on-behalf-of the caller
 * decides whose token reaches Azure, so it must be visible in every signature along the way.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logging/logger.js';

/** The validated caller of an authenticated HTTP request. Absent for stdio, the CLI and unauthenticated HTTP. */
export interface CallerIdentity {
  kind: 'user' | 'app';
  /** The validated incoming access token: only ever exchanged (on-behalf-of), never forwarded. */
  token: string;
  oid: string;
  tid: string;
  scopes: readonly string[];
  roles: readonly string[];
  /** Client application that obtained the token (azp/appid). */
  clientAppId?: string;
  name?: string;
  upn?: string;
  expiresAt?: number;
}

export interface RequestContext {
  readonly requestId: string;
  readonly caller?: CallerIdentity;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

export function createRequestContext(init: {
  logger: Logger;
  caller?: CallerIdentity;
  signal?: AbortSignal;
  requestId?: string;
}): RequestContext {
  const requestId = init.requestId ?? randomUUID();
  return {
    requestId,
    caller: init.caller,
    signal: init.signal ?? new AbortController().signal,
    logger: init.logger.child({ requestId }),
  };
}

/** A context for a CLI command: no caller, the hosting identity acts. */
export function createCliContext(logger: Logger): RequestContext {
  return createRequestContext({ logger });
}

/** A stable key for per-identity caches: callers never share entries with each other or with the host. */
export function identityKey(ctx: RequestContext): string {
  return ctx.caller ? `caller:${ctx.caller.tid}:${ctx.caller.oid}` : 'host';
}
