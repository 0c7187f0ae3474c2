/**
 * One log line per request, from pino, with nothing secret in it: the Authorization header is never
 * logged (the request serializer omits headers; the logger redacts them anyway) and every query-string
 * value is replaced, so `?access_token=…` or `?code=…` cannot reach the logs.
 */
import type { FastifyReply, FastifyRequest, onResponseAsyncHookHandler } from 'fastify';

/** `/mcp?access_token=abc&x=1` → `/mcp?access_token=[redacted]&x=[redacted]`. */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const names = url
    .slice(query + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => `${pair.split('=')[0]!.slice(0, 64)}=[redacted]`);
  return `${url.slice(0, query)}?${names.join('&')}`;
}

/** pino serializer for `req` in fastify's own log lines. */
export function serializeRequest(request: { method?: string; url?: string; socket?: { remoteAddress?: string } }) {
  return { method: request.method, url: redactUrl(request.url ?? ''), remoteAddress: request.socket?.remoteAddress };
}

export const logCompletedRequest: onResponseAsyncHookHandler = async function logCompletedRequest(request: FastifyRequest, reply: FastifyReply) {
  const caller = (request.auth?.extra?.caller as { oid?: string } | undefined)?.oid;
  request.log.info(
    {
      method: request.method,
      url: redactUrl(request.url),
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      ...(caller ? { caller } : {}),
    },
    'request completed',
  );
};
