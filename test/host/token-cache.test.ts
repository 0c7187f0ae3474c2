/**
 * The validator remembers validated tokens (a client sends the same one with every request), but never
 * past the moment a full validation would refuse it, nor longer than VALIDATED_TOKEN_TTL_MS.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveIncomingAuth } from '../../src/config/azure-ad.js';
import { settingsFrom } from '../../src/config/settings.js';
import { InvalidTokenError } from '../../src/host/errors.js';
import { CLOCK_SKEW_SECONDS, createTokenValidator, VALIDATED_TOKEN_TTL_MS, type TokenValidator } from '../../src/host/token-validator.js';
import { createSilentLogger } from '../../src/logging/logger.js';
import { startFakeAzure, type FakeAzure } from '../fakes/index.js';
import { fetchTrustingFake } from './support.js';

let fake: FakeAzure;
beforeAll(async () => {
  fake = await startFakeAzure();
});
afterAll(async () => {
  await fake?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

function validator(cacheSize?: number): TokenValidator {
  const auth = resolveIncomingAuth(
    settingsFrom({ 'AzureAd:Instance': `${fake.entraUrl}/`, 'AzureAd:TenantId': fake.tenantId, 'AzureAd:ClientId': fake.clients.serverApp.clientId }),
  );
  return createTokenValidator({ auth, logger: createSilentLogger(), fetch: fetchTrustingFake(fake), cacheSize });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('validated-token cache', () => {
  it('answers the same token again with the caller it validated, without verifying it again', async () => {
    const tokens = validator();
    const token = await fake.mintToken(fake.principals.alice);
    const first = await tokens.validate(token);
    expect(await tokens.validate(token)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('verifies every request when the cache is off (cacheSize 0)', async () => {
    const tokens = validator(0);
    const token = await fake.mintToken(fake.principals.alice);
    expect(await tokens.validate(token)).not.toBe(await tokens.validate(token));
  });

  it('forgets the oldest token when full', async () => {
    const tokens = validator(1);
    const [a, b] = await Promise.all([fake.mintToken(fake.principals.alice), fake.mintToken(fake.principals.bob)]);
    const firstA = await tokens.validate(a);
    await tokens.validate(b);
    expect(await tokens.validate(a)).not.toBe(firstA);
  });

  it('refuses a remembered token once it is past exp plus the clock skew', async () => {
    const tokens = validator();
    const token = await fake.mintToken(fake.principals.alice, { exp: nowSeconds() + 60 });
    await tokens.validate(token);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + (60 + CLOCK_SKEW_SECONDS + 1) * 1000 });
    await expect(tokens.validate(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('verifies a remembered token again after VALIDATED_TOKEN_TTL_MS', async () => {
    const tokens = validator();
    const token = await fake.mintToken(fake.principals.alice, { exp: nowSeconds() + 3600 });
    const first = await tokens.validate(token);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + VALIDATED_TOKEN_TTL_MS + 1000 });
    const again = await tokens.validate(token);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});
