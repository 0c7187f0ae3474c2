/**
 * Stateful MCP sessions: one SDK `Server` and Streamable HTTP transport (server/node-streamable-http.ts) per `Mcp-Session-Id`.
 * A session belongs to the caller that opened it (tenant + object id): another caller presenting its id
 * is told the session does not exist. Sessions idle for longer than the timeout (no request in flight,
 * none for `idleTimeoutMs`) are closed by a periodic sweep; at most `max` are open at once.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Logger } from '../logging/logger.js';
import type { McpServerFactory } from '../server/mcp-server.js';
import { NodeStreamableHTTPServerTransport } from '../server/node-streamable-http.js';

export interface Session {
  /** Empty until the SDK has accepted `initialize`. */
  id: string;
  readonly owner: string;
  readonly transport: NodeStreamableHTTPServerTransport;
  readonly server: Server;
  lastActive: number;
  inFlight: number;
  closed: boolean;
}

export interface McpSessionsOptions {
  factory: McpServerFactory;
  logger: Logger;
  max: number;
  idleTimeoutMs: number;
  now?: () => number;
}

export class McpSessions {
  private readonly open = new Map<string, Session>();
  private opening = 0;
  private sweeper?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly options: McpSessionsOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.open.size;
  }

  hasRoom(): boolean {
    return this.open.size + this.opening < this.options.max;
  }

  /** The session with this id if `owner` opened it. */
  find(id: string, owner: string): Session | undefined {
    const session = this.open.get(id);
    return session && session.owner === owner && !session.closed ? session : undefined;
  }

  /** A session waiting for its `initialize`; call `settle` once that request has been handled. */
  async begin(owner: string): Promise<Session> {
    this.opening++;
    let session!: Session;
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        session.id = id;
        this.open.set(id, session);
        this.options.logger.info({ sessions: this.open.size }, 'MCP session opened');
      },
      onsessionclosed: () => this.close(session, 'closed by the client'),
    });
    transport.onclose = () => void this.close(session, 'transport closed');
    const server = this.options.factory.create();
    session = { id: '', owner, transport, server, lastActive: this.now(), inFlight: 0, closed: false };
    try {
      await server.connect(transport);
    } catch (error) {
      this.opening--;
      throw error;
    }
    return session;
  }

  /** After the initialize request: a session the SDK did not accept is closed at once. */
  async settle(session: Session): Promise<void> {
    this.opening--;
    if (!session.id) await this.close(session, 'initialize was not accepted');
  }

  /** Marks a request in flight until its response closes; the session is not idle meanwhile. */
  track(session: Session, response: ServerResponse): void {
    session.inFlight++;
    session.lastActive = this.now();
    response.once('close', () => {
      session.inFlight--;
      session.lastActive = this.now();
    });
  }

  /** Closes sessions idle for longer than the timeout; returns how many. */
  async sweep(): Promise<number> {
    const cutoff = this.now() - this.options.idleTimeoutMs;
    const idle = [...this.open.values()].filter((s) => s.inFlight === 0 && s.lastActive <= cutoff);
    await Promise.all(idle.map((s) => this.close(s, 'idle timeout')));
    return idle.length;
  }

  startSweeping(): void {
    const every = Math.max(1000, Math.min(60_000, Math.floor(this.options.idleTimeoutMs / 2)));
    this.sweeper = setInterval(() => void this.sweep(), every);
    this.sweeper.unref();
  }

  /** Shutdown, first step: end the long-lived GET streams so in-flight POSTs can finish and the server can close. */
  endStandaloneStreams(): void {
    for (const session of this.open.values()) session.transport.closeStandaloneSSEStream();
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.open.values()].map((s) => this.close(s, 'server shutting down')));
  }

  private async close(session: Session, reason: string): Promise<void> {
    if (session.closed) return;
    session.closed = true;
    if (session.id) this.open.delete(session.id);
    await session.server.close().catch((error: unknown) => this.options.logger.warn({ err: error }, 'closing an MCP session failed'));
    if (session.id) this.options.logger.info({ reason, sessions: this.open.size }, 'MCP session closed');
  }
}
