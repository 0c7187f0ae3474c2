/**
 * Minimal HTTPS plumbing shared by the fake services: one server per service on 127.0.0.1 with a random port,
 * handlers that return a reply plus fields for the request log.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeState } from './state.js';
import type { InjectedResponse, RequestRecord, ServiceName } from './types.js';

export interface FakeRequest {
  method: string;
  url: URL;
  /** Decoded path without query. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings as text. */
  body?: unknown;
  /** Wait before answering. */
  delayMs?: number;
  /** Destroy the connection instead of answering. */
  reset?: boolean;
  /** Extra fields for the request log. */
  record?: Partial<RequestRecord>;
}

export type FakeHandler = (request: FakeRequest) => Promise<FakeReply> | FakeReply;

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export interface TlsMaterial {
  key: string;
  cert: string;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}, record: Partial<RequestRecord> = {}): FakeReply {
  return { status, body, headers, record };
}

/** Turn an injected failure into a reply, using `defaultBody(status)` when the test gave none. */
export function injectedReply(failure: InjectedResponse, defaultBody: (status: number) => unknown): FakeReply {
  const headers: Record<string, string> = { ...failure.headers };
  if (failure.retryAfter !== undefined) headers['Retry-After'] = String(failure.retryAfter);
  return {
    status: failure.status,
    headers,
    body: failure.body ?? defaultBody(failure.status),
    delayMs: failure.delayMs,
    reset: failure.reset,
    record: { injected: true },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: FakeReply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload = '';
  if (reply.body !== undefined) {
    if (typeof reply.body === 'string') {
      payload = reply.body;
      headers['Content-Type'] ??= 'text/plain; charset=utf-8';
    } else {
      payload = JSON.stringify(reply.body);
      headers['Content-Type'] ??= 'application/json; charset=utf-8';
    }
  }
  headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

export async function startService(service: ServiceName, tls: TlsMaterial, state: FakeState, handler: FakeHandler): Promise<RunningServer> {
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    void (async () => {
      const started = Date.now();
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      let path = url.pathname;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        // keep the raw path
      }
      const authorization = req.headers.authorization;
      let reply: FakeReply;
      try {
        const body = await readBody(req);
        reply = await handler({ method: req.method ?? 'GET', url, path, headers: req.headers, body });
      } catch (error) {
        reply = json(500, { error: { code: 'InternalServerError', message: `fake ${service} failed: ${(error as Error).stack ?? String(error)}` } });
      }
      state.record({
        service,
        method: req.method ?? 'GET',
        path,
        query: url.search,
        status: reply.reset ? 0 : reply.status,
        at: started,
        ...(authorization !== undefined ? { authorization } : {}),
        ...reply.record,
      });
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (reply.reset) {
        req.socket.destroy();
        return;
      }
      send(res, reply);
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Bearer token from an Authorization header (scheme case-insensitive). */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const value = headers.authorization;
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match?.[1];
}

export function newRequestId(): string {
  return randomUUID();
}
