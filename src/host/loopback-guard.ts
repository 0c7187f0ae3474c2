/**
 * DNS-rebinding protection for a server bound to loopback: a web page on evil.example whose name
 * re-resolves to 127.0.0.1 reaches us with `Host: evil.example` (and its own Origin). Only loopback host
 * names are answered, and a browser Origin must be loopback or explicitly allowed. Not applied on other
 * binds, where a proxy or the platform owns the host name.
 */
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { isLoopback } from '../config/server-options.js';
import { jsonRpcError, SERVER_ERROR } from './json-rpc.js';

/** `localhost`, `127.x.y.z`, `[::1]`, with or without a port. */
export function isLoopbackHost(host: string): boolean {
  const match = /^(\[[^\]]*\]|[^:]*)(:\d{1,5})?$/.exec(host.trim().toLowerCase());
  return match !== null && isLoopback(match[1]!.replace(/\.$/, ''));
}

export function isLoopbackOrigin(origin: string): boolean {
  if (!URL.canParse(origin)) return false;
  const url = new URL(origin);
  return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.host);
}

export function createLoopbackGuard(allowedOrigins: '*' | readonly string[] | undefined): onRequestAsyncHookHandler {
  return async function rejectForeignHostOrOrigin(request: FastifyRequest, reply: FastifyReply) {
    const host = request.headers.host;
    if (host !== undefined && !isLoopbackHost(host)) {
      return refuse(reply, `Host '${host}' is not allowed: this server is bound to loopback and answers only localhost, 127.0.0.1 and [::1] (DNS rebinding protection).`);
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !isLoopbackOrigin(origin) && allowedOrigins !== '*' && !allowedOrigins?.includes(origin)) {
      return refuse(reply, `Origin '${origin}' is not allowed: this server is bound to loopback and accepts browser requests only from loopback origins or AzureMcp__CorsAllowedOrigins (DNS rebinding protection).`);
    }
  };
}

function refuse(reply: FastifyReply, message: string): FastifyReply {
  reply.log.warn({ reason: message }, 'request refused');
  return reply.code(403).send(jsonRpcError(SERVER_ERROR, `Forbidden: ${message}`));
}
