/**
 * The plugin that owns `/mcp` (Streamable HTTP): authentication and the per-caller rate limit are hooks of
 * this plugin only, so metadata and health stay public. Fastify parses and bounds the body; then the reply
 * is hijacked and the raw request/response go to the SDK transport, with the caller on `req.auth`.
 *
 * Stateful (default): `initialize` opens a session (`Mcp-Session-Id`), later requests must carry it.
 * Stateless (`--stateless`): a fresh SDK server and transport per POST, no session id, so any replica can
 * answer any request; GET (server-initiated stream) and DELETE answer 405. What stateless gives up:
 * sampling, elicitation and server-initiated notifications, which need a stream back to one client.
 */
import type { IncomingMessage } from 'node:http';
import rateLimit from '@fastify/rate-limit';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { CallerIdentity } from '../context/request-context.js';
import type { McpServerFactory } from '../server/mcp-server.js';
import { NodeStreamableHTTPServerTransport } from '../server/node-streamable-http.js';
import { RateLimitedError } from './errors.js';
import { INTERNAL_ERROR, jsonRpcError, SERVER_ERROR, SESSION_NOT_FOUND } from './json-rpc.js';
import { MCP_PATH } from './public-urls.js';
import type { McpSessions, Session } from './sessions.js';

export interface McpRoutesOptions {
  factory: McpServerFactory;
  /** Undefined in stateless mode. */
  sessions?: McpSessions;
  /** The bearer-token hook; undefined when incoming authentication is disabled. */
  authenticate?: onRequestAsyncHookHandler;
  /** 0 = no limit. */
  maxRequestsPerMinutePerCaller: number;
}

export const mcpRoutes: FastifyPluginAsync<McpRoutesOptions> = async (app, options) => {
  if (options.authenticate) app.addHook('onRequest', options.authenticate);
  if (options.maxRequestsPerMinutePerCaller > 0) {
    // Route-level onRequest hooks run after the plugin's own, so the caller is known when this counts.
    await app.register(rateLimit, {
      hook: 'onRequest',
      max: options.maxRequestsPerMinutePerCaller,
      timeWindow: 60_000,
      keyGenerator: rateLimitKey,
      errorResponseBuilder: (_request, context) =>
        new RateLimitedError(`Rate limit exceeded: at most ${context.max} requests per minute per caller; retry in ${context.after}.`),
    });
  }

  const { sessions, factory } = options;
  if (!sessions) {
    app.post(MCP_PATH, async function serveStateless(request, reply) {
      const server = factory.create();
      const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      reply.raw.once('close', () => void server.close());
      await server.connect(transport);
      await handOver(request, reply, transport, request.body);
    });
    const notInStatelessMode = async function notInStatelessMode(_request: FastifyRequest, reply: FastifyReply) {
      return reply
        .code(405)
        .header('allow', 'POST')
        .send(jsonRpcError(SERVER_ERROR, 'Method not allowed: this server runs with --stateless, which has no sessions and no server-initiated stream; use POST.'));
    };
    app.get(MCP_PATH, notInStatelessMode);
    app.delete(MCP_PATH, notInStatelessMode);
    return;
  }

  app.post(MCP_PATH, async function serveSessionPost(request, reply) {
    if (sessionIdOf(request) !== undefined) return serveInSession(request, reply, sessions, request.body);
    if (!containsInitialize(request.body)) {
      return reply.code(400).send(jsonRpcError(SERVER_ERROR, 'Bad Request: no Mcp-Session-Id header; send initialize first to open a session.'));
    }
    const owner = ownerOf(request);
    if (!sessions.hasRoom(owner)) {
      return reply
        .code(503)
        .header('retry-after', '30')
        .send(jsonRpcError(SERVER_ERROR, 'Too many open MCP sessions on this server (AzureMcp__MaxSessions); retry later.'));
    }
    const session = await sessions.begin(owner);
    try {
      sessions.track(session, reply.raw);
      await handOver(request, reply, session.transport, request.body);
    } finally {
      await sessions.settle(session);
    }
  });

  const serveWithoutBody = async function serveSessionStreamOrDelete(request: FastifyRequest, reply: FastifyReply) {
    if (sessionIdOf(request) === undefined) {
      return reply.code(400).send(jsonRpcError(SERVER_ERROR, 'Bad Request: the Mcp-Session-Id header is required.'));
    }
    return serveInSession(request, reply, sessions, undefined);
  };
  app.get(MCP_PATH, serveWithoutBody);
  app.delete(MCP_PATH, serveWithoutBody);
};

async function serveInSession(request: FastifyRequest, reply: FastifyReply, sessions: McpSessions, body: unknown): Promise<FastifyReply | undefined> {
  const session: Session | undefined = sessions.find(sessionIdOf(request)!, ownerOf(request));
  if (!session) {
    return reply.code(404).send(jsonRpcError(SESSION_NOT_FOUND, 'Session not found: it expired or was closed. Start a new session with initialize.'));
  }
  sessions.track(session, reply.raw);
  await handOver(request, reply, session.transport, body);
  return undefined;
}

/** Headers set so far (CORS, rate limit) would be lost with the hijack: move them to the raw response. */
async function handOver(request: FastifyRequest, reply: FastifyReply, transport: NodeStreamableHTTPServerTransport, body: unknown): Promise<void> {
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) reply.raw.setHeader(name, value);
  }
  reply.hijack();
  const raw = request.raw as IncomingMessage & { auth?: AuthInfo };
  if (request.auth) raw.auth = request.auth;
  try {
    await transport.handleRequest(raw, reply.raw, body);
  } catch (error) {
    request.log.error({ err: error }, 'the MCP transport failed on a request');
    if (!reply.raw.headersSent) {
      reply.raw.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify(jsonRpcError(INTERNAL_ERROR, 'Internal error')));
    } else {
      reply.raw.destroy();
    }
  }
}

function sessionIdOf(request: FastifyRequest): string | undefined {
  const value = request.headers['mcp-session-id'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function callerOf(request: FastifyRequest): CallerIdentity | undefined {
  return request.auth?.extra?.caller as CallerIdentity | undefined;
}

/** Sessions and rate limits belong to a caller: tenant + object id; unauthenticated hosts have one owner. */
function ownerOf(request: FastifyRequest): string {
  const caller = callerOf(request);
  return caller ? `${caller.tid}/${caller.oid}` : 'anonymous';
}

function rateLimitKey(request: FastifyRequest): string {
  const caller = callerOf(request);
  return caller ? `caller:${caller.tid}/${caller.oid}` : `ip:${request.ip}`;
}

function containsInitialize(body: unknown): boolean {
  return Array.isArray(body) ? body.some((m) => isInitializeRequest(m)) : isInitializeRequest(body);
}
