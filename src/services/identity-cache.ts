/**
 * A small TTL cache whose keys always include the identity of the request, so one caller's lookups
 * (tenants, subscriptions) are never served to another. Concurrent misses for the same key share one
 * in-flight promise; failures are not cached.
 */
import { identityKey, type RequestContext } from '../context/request-context.js';

interface Entry {
  value: Promise<unknown>;
  expiresAt: number;
}

export class IdentityCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  getOrCreate<T>(ctx: RequestContext, key: string, create: () => Promise<T>): Promise<T> {
    const fullKey = `${identityKey(ctx)}\u0000${key}`;
    const existing = this.entries.get(fullKey);
    if (existing && existing.expiresAt > this.now()) return existing.value as Promise<T>;

    const value = create();
    this.entries.set(fullKey, { value, expiresAt: this.now() + this.ttlMs });
    value.catch(() => {
      if (this.entries.get(fullKey)?.value === value) this.entries.delete(fullKey);
    });
    this.evictIfFull();
    return value;
  }

  private evictIfFull(): void {
    if (this.entries.size <= this.maxEntries) return;
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
    // Still full: drop the oldest insertions (Map preserves insertion order).
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}
