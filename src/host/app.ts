/**
 * The Fastify application of `--transport http`, built without listening (tests use `app.inject()`;
 * start.ts listens). Layout:
 *   root       CORS, DNS-rebinding guard (loopback binds), request log, error mapping (413, 400/-32700)
 *   public     GET /health, Protected Resource Metadata (when incoming auth is on)
 *   /mcp       the plugin with the bearer-token hook (and its per-address limit on refusals) and the per-caller rate limit (mcp-routes.ts)
 */
import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { HttpHostConfig } from '../config/azure-ad.js';
import { isLoopback } from '../config/server-options.js';
import type { Logger } from '../logging/logger.js';
import type { McpServerFactory } from '../server/mcp-server.js';
import { createAuthenticateHook } from './authenticate.js';
import { HostError } from './errors.js';
import { INTERNAL_ERROR, INVALID_REQUEST, jsonRpcError, PARSE_ERROR, SERVER_ERROR } from './json-rpc.js';
import { createLoopbackGuard, isLoopbackOrigin } from './loopback-guard.js';
import { mcpRoutes } from './mcp-routes.js';
import { metadataRoutes } from './metadata.js';
import { createPublicUrls } from './public-urls.js';
import { logCompletedRequest, serializeRequest } from './request-log.js';
import { McpSessions } from './sessions.js';
import { createTokenValidator, type TokenValidator, type TokenValidatorOptions } from './token-validator.js';

export const BODY_LIMIT_BYTES = 4 * 1024 * 1024;
/** A declared body up to this size is read and discarded after a 413, so the client gets to read the answer. */
const DRAIN_LIMIT_BYTES = 4 * BODY_LIMIT_BYTES;

export interface HttpAppOptions {
  config: HttpHostConfig;
  factory: McpServerFactory;
  logger: Logger;
  /** Replaces the token validator built from `config.auth` (tests). */
  validator?: TokenValidator;
  /** Passed to the default validator (tests: an HTTPS fetch trusting the fake Entra's CA, a short cooldown). */
  validatorOptions?: Partial<Omit<TokenValidatorOptions, 'auth' | 'logger'>>;
  /** Clock for session idle expiry and the per-address limit on failed authentication (tests). */
  now?: () => number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Open MCP sessions; undefined in stateless mode. */
    mcpSessions: McpSessions | undefined;
    /** The incoming-token validator; undefined when incoming auth is disabled. */
    tokenValidator: TokenValidator | undefined;
  }
}

export async function buildHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const { config, factory, logger } = options;
  const app = Fastify({
    loggerInstance: logger.child({ component: 'http' }, { serializers: { req: serializeRequest } }) as FastifyBaseLogger,
    // One redacted line per request comes from request-log.ts instead of fastify's pair of lines.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: () => randomUUID(),
    bodyLimit: BODY_LIMIT_BYTES,
    // Idle keep-alive connections close on shutdown; in-flight requests finish.
    forceCloseConnections: 'idle',
  });

  const loopback = isLoopback(config.host);
  const urls = createPublicUrls(config.publicBaseUrl);
  const validator =
    config.auth && (options.validator ?? createTokenValidator({ ...options.validatorOptions, auth: config.auth, logger: app.log as Logger }));
  const sessions = config.stateless
    ? undefined
    : new McpSessions({
        factory,
        logger: app.log as Logger,
        max: config.maxSessions,
        // Without incoming auth every client is the one owner 'anonymous': a per-caller cap would make local clients evict each other.
        maxPerOwner: config.auth ? config.maxSessionsPerCaller : undefined,
        idleTimeoutMs: config.sessionIdleTimeoutSeconds * 1000,
        now: options.now,
      });

  app.decorate('mcpSessions', sessions);
  app.decorate('tokenValidator', validator);
  app.decorateRequest('auth', null);
  app.setErrorHandler(answerError);
  app.addHook('onResponse', logCompletedRequest);
  if (loopback) app.addHook('onRequest', createLoopbackGuard(config.corsAllowedOrigins));
  await app.register(cors, {
    origin: corsOrigin(config.corsAllowedOrigins, loopback),
    methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'Mcp-Session-Id', 'Mcp-Protocol-Version', 'Last-Event-ID'],
    exposedHeaders: ['Mcp-Session-Id', 'Mcp-Protocol-Version', 'WWW-Authenticate', 'Retry-After'],
    maxAge: 600,
  });

  app.get('/health', async function health() {
    return { status: 'healthy' };
  });
  if (config.auth) await app.register(metadataRoutes, { auth: config.auth, urls });
  await app.register(mcpRoutes, {
    factory,
    sessions,
    authenticate:
      config.auth && validator
        ? createAuthenticateHook({
            auth: config.auth,
            validator,
            urls,
            maxUnauthenticatedPerMinutePerIp: config.maxUnauthenticatedRequestsPerMinutePerIp,
            now: options.now,
          })
        : undefined,
    maxRequestsPerMinutePerCaller: config.maxRequestsPerMinutePerCaller,
  });

  // Shutdown: fastify stops accepting and waits for every open connection. Long-lived GET streams end
  // now; a connection whose answer completes while closing is ended too, rather than idling in keep-alive
  // until the client drops it. In-flight requests finish; sessions close last.
  let closing = false;
  app.addHook('preClose', async function endLongLivedStreams() {
    closing = true;
    sessions?.endStandaloneStreams();
  });
  app.addHook('onResponse', async function endConnectionWhileClosing(request) {
    if (closing) request.raw.socket?.end();
  });
  if (sessions) {
    sessions.startSweeping();
    app.addHook('onClose', async function closeSessions() {
      await sessions.closeAll();
    });
  }
  return app;
}

/** Any origin (no credentials: bearer tokens are not ambient) unless configured; loopback origins on a loopback bind. */
function corsOrigin(allowed: HttpHostConfig['corsAllowedOrigins'], loopback: boolean) {
  if (allowed === '*' || (allowed === undefined && !loopback)) return '*';
  const list = allowed ?? [];
  return (origin: string | undefined, callback: (error: Error | null, allow: boolean) => void) =>
    callback(null, origin !== undefined && (list.includes(origin) || (loopback && isLoopbackOrigin(origin))));
}

function answerError(this: FastifyInstance, error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      keepReadingToAnswer(request, reply);
      return reply.code(413).send(jsonRpcError(INVALID_REQUEST, `Request body too large: the limit is ${BODY_LIMIT_BYTES} bytes (4 MiB).`));
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return reply.code(400).send(jsonRpcError(PARSE_ERROR, 'Parse error: the request body is not valid JSON.'));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply.code(415).send(jsonRpcError(SERVER_ERROR, 'Unsupported Media Type: send Content-Type: application/json.'));
  }
  if (error instanceof HostError) return reply.code(error.statusCode).send(jsonRpcError(SERVER_ERROR, error.message));
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return reply.code(status).send(jsonRpcError(SERVER_ERROR, error.message));
  request.log.error({ err: error }, 'request failed unexpectedly');
  return reply.code(500).send(jsonRpcError(INTERNAL_ERROR, 'Internal error; the server logged the details.'));
}

/**
 * Fastify answers a body error with `Connection: close`; a client still sending its body then sees EPIPE
 * instead of the 413. For a declared length within reason, let Node read and discard the rest instead.
 */
function keepReadingToAnswer(request: FastifyRequest, reply: FastifyReply): void {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared <= DRAIN_LIMIT_BYTES) {
    reply.removeHeader('connection');
    request.raw.resume();
  }
}
