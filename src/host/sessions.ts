/**
 * Stateful MCP sessions: one SDK `Server` and Streamable HTTP transport (server/node-streamable-http.ts) per `Mcp-Session-Id`.
 * A session belongs to the caller that opened it (tenant + object id): another caller presenting its id
 * is told the session does not exist. Sessions idle for longer than the timeout (no request in flight,
 * none for `idleTimeoutMs`) are closed by a periodic sweep; at most `max` are open at once.
 *
 * One caller may hold at most `maxPerOwner` sessions (those still initializing count): opening one more closes
 * that caller's least recently used session instead of refusing, so one caller cannot take every slot, and a
 * client that lost its session id can always start again. A caller at its own cap may open a session while
 * the server is full, since it replaces one of its own.
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
  /** Sessions one owner may hold; undefined = no per-owner cap (hosts without incoming auth: one owner). */
  maxPerOwner?: number;
  idleTimeoutMs: number;
  now?: () => number;
}

export class McpSessions {
  private readonly open = new Map<string, Session>();
  /** Each owner's sessions from `begin` until closed, initializing ones included. */
  private readonly byOwner = new Map<string, Set<Session>>();
  private opening = 0;
  private sweeper?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly options: McpSessionsOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.open.size;
  }

  /** Whether `owner` may open a session now: the server is not full, or `owner` replaces one of its own. */
  hasRoom(owner: string): boolean {
    return this.open.size + this.opening < this.options.max || this.atOwnerCap(owner);
  }

  /** The session with this id if `owner` opened it. */
  find(id: string, owner: string): Session | undefined {
    const session = this.open.get(id);
    return session && session.owner === owner && !session.closed ? session : undefined;
  }

  /** A session waiting for its `initialize`; call `settle` once that request has been handled. */
  async begin(owner: string): Promise<Session> {
    // close() forgets a session before its first await, so each turn of the loop shrinks the owner's set.
    const evictions: Array<Promise<void>> = [];
    while (this.atOwnerCap(owner)) {
      evictions.push(this.close(leastRecentlyUsed(this.byOwner.get(owner)!), 'the caller holds AzureMcp__MaxSessionsPerCaller sessions and opened another'));
    }
    this.opening++;
    let session!: Session;
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        if (session.closed) return;
        session.id = id;
        this.open.set(id, session);
        this.options.logger.info({ sessions: this.open.size }, 'MCP session opened');
      },
      onsessionclosed: () => this.close(session, 'closed by the client'),
    });
    transport.onclose = () => void this.close(session, 'transport closed');
    const server = this.options.factory.create();
    session = { id: '', owner, transport, server, lastActive: this.now(), inFlight: 0, closed: false };
    this.ownedBy(owner).add(session);
    try {
      await server.connect(transport);
    } catch (error) {
      this.opening--;
      this.release(session);
      throw error;
    } finally {
      await Promise.all(evictions);
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
    this.release(session);
    await session.server.close().catch((error: unknown) => this.options.logger.warn({ err: error }, 'closing an MCP session failed'));
    if (session.id) this.options.logger.info({ reason, sessions: this.open.size }, 'MCP session closed');
  }

  private atOwnerCap(owner: string): boolean {
    const cap = this.options.maxPerOwner;
    return cap !== undefined && (this.byOwner.get(owner)?.size ?? 0) >= Math.max(1, cap);
  }

  private ownedBy(owner: string): Set<Session> {
    let owned = this.byOwner.get(owner);
    if (!owned) this.byOwner.set(owner, (owned = new Set()));
    return owned;
  }

  private release(session: Session): void {
    const owned = this.byOwner.get(session.owner);
    if (owned?.delete(session) && owned.size === 0) this.byOwner.delete(session.owner);
  }
}

/** Idle open sessions first, then busy ones, then ones still initializing; among those the longest unused. */
function leastRecentlyUsed(sessions: Iterable<Session>): Session {
  const rank = (s: Session) => (s.id === '' ? 2 : s.inFlight > 0 ? 1 : 0);
  let chosen: Session | undefined;
  for (const s of sessions) {
    if (!chosen || rank(s) < rank(chosen) || (rank(s) === rank(chosen) && s.lastActive < chosen.lastActive)) chosen = s;
  }
  return chosen!;
}
