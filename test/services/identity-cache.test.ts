import { describe, expect, it } from 'vitest';
import { createRequestContext } from '../../src/context/request-context.js';
import { createSilentLogger } from '../../src/logging/logger.js';
import { IdentityCache } from '../../src/services/identity-cache.js';

const logger = createSilentLogger();
const caller = (oid: string) =>
  createRequestContext({ logger, caller: { kind: 'user', token: 't', oid, tid: 'tenant', scopes: [], roles: [] } });

describe('IdentityCache', () => {
  it('never serves one identity the entry of another', async () => {
    const cache = new IdentityCache(60_000);
    const alice = await cache.getOrCreate(caller('alice'), 'subscriptions', async () => ['a1']);
    const bob = await cache.getOrCreate(caller('bob'), 'subscriptions', async () => ['b1']);
    const host = await cache.getOrCreate(createRequestContext({ logger }), 'subscriptions', async () => ['h1']);
    expect([alice, bob, host]).toEqual([['a1'], ['b1'], ['h1']]);
    expect(await cache.getOrCreate(caller('alice'), 'subscriptions', async () => ['changed'])).toEqual(['a1']);
  });

  it('shares one in-flight lookup between concurrent misses, and expires entries', async () => {
    let now = 0;
    let calls = 0;
    const cache = new IdentityCache(1_000, 100, () => now);
    const create = async () => ++calls;
    const results = await Promise.all([1, 2, 3].map(() => cache.getOrCreate(caller('alice'), 'k', create)));
    expect(results).toEqual([1, 1, 1]);
    now = 1_001;
    expect(await cache.getOrCreate(caller('alice'), 'k', create)).toBe(2);
  });

  it('does not cache failures', async () => {
    const cache = new IdentityCache(60_000);
    await expect(cache.getOrCreate(caller('alice'), 'k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await new Promise((r) => setImmediate(r));
    expect(await cache.getOrCreate(caller('alice'), 'k', async () => 'ok')).toBe('ok');
  });

  it('evicts the oldest entries when full', async () => {
    const cache = new IdentityCache(60_000, 2);
    await cache.getOrCreate(caller('a'), 'k', async () => 1);
    await cache.getOrCreate(caller('b'), 'k', async () => 2);
    await cache.getOrCreate(caller('c'), 'k', async () => 3);
    expect(await cache.getOrCreate(caller('a'), 'k', async () => 'recomputed')).toBe('recomputed');
  });
});
