/**
 * The per-address limit on /mcp requests that fail authentication (401: no bearer token, or one that does
 * not validate), in fixed one-minute windows. The per-caller rate limit counts only callers it can name, so
 * without this nothing bounds what anonymous clients and forged tokens may send. Past the limit, an address's
 * failing requests are answered 429 with `Retry-After` until its minute is over. A request whose token
 * validates is neither counted nor refused here: behind a proxy every client shares the proxy's address, and
 * one noisy client must not lock the signed-in ones out. At most `maxAddresses` windows are kept; when full,
 * the oldest is forgotten, so memory stays bounded however many addresses send.
 */
export const MAX_TRACKED_ADDRESSES = 10_000;
const WINDOW_MS = 60_000;

export interface FailedAuthOverLimit {
  retryAfterSeconds: number;
  /** The first refusal of this address in its window (worth one log line). */
  first: boolean;
}

export class FailedAuthLimit {
  /** Insertion order is window start order: a window that ends is deleted and set again. */
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly max: number,
    private readonly now: () => number = Date.now,
    private readonly maxAddresses = MAX_TRACKED_ADDRESSES,
  ) {}

  get trackedAddresses(): number {
    return this.windows.size;
  }

  /** Counts one failed authentication from `address`; undefined while it is within the limit. */
  count(address: string): FailedAuthOverLimit | undefined {
    const now = this.now();
    let window = this.windows.get(address);
    if (!window || now - window.start >= WINDOW_MS) {
      this.windows.delete(address);
      if (this.windows.size >= this.maxAddresses) this.windows.delete(this.windows.keys().next().value!);
      window = { start: now, count: 0 };
      this.windows.set(address, window);
    }
    window.count++;
    if (window.count <= this.max) return undefined;
    return { retryAfterSeconds: Math.max(1, Math.ceil((window.start + WINDOW_MS - now) / 1000)), first: window.count === this.max + 1 };
  }
}
