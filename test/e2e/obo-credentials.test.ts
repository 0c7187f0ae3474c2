/**
 * Each `AzureAd__ClientCredentials__0__SourceType` end to end: a spawned server exchanges a user's token
 * with that credential, and the user gets their subscriptions. What the server presented is read back from
 * the fake token endpoint's log; the managed identity is reached as App Service does, via IDENTITY_ENDPOINT.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WORKLOAD_IDENTITY_SUBJECT, startFakeAzure, type FakeAzure } from '../fakes/index.js';
import { connectAs, oboEnv, refusedConnections, resultText, startOboServer, subscriptionNames } from '../support/obo-server.js';

let fake: FakeAzure;
beforeAll(async () => {
  fake = await startFakeAzure();
});
afterAll(() => fake?.close());
beforeEach(() => fake.state.reset());

async function aliceListsSubscriptionsWith(env: NodeJS.ProcessEnv) {
  const server = await startOboServer(fake, { env });
  try {
    const alice = await connectAs(server, fake, fake.principals.alice);
    const result = await alice.call('subscription_list');
    await alice.close();
    expect(result.isError, resultText(result)).toBeFalsy();
    expect(subscriptionNames(result)).toEqual(['Contoso Dev', 'Contoso Sandbox', 'Contoso Test']);
    expect(refusedConnections(server)).toEqual([]);
    const exchanges = fake.state.tokenRequests({ grantType: 'obo' });
    expect(exchanges).toHaveLength(1);
    return exchanges[0]!;
  } finally {
    await server.stop();
  }
}

describe('client credential sources, end to end', () => {
  it('ClientSecret', async () => {
    const exchange = await aliceListsSubscriptionsWith(oboEnv(fake, { SourceType: 'ClientSecret', ClientSecret: fake.clients.serverApp.secret! }));
    expect(exchange).toMatchObject({ clientAuth: 'secret', assertionOid: fake.principals.alice.oid, status: 200 });
  });

  it('Certificate (PEM at CertificateDiskPath)', async () => {
    const exchange = await aliceListsSubscriptionsWith(oboEnv(fake, { SourceType: 'Certificate', CertificateDiskPath: fake.serverAppCertificate.path }));
    expect(exchange).toMatchObject({ clientAuth: 'certificate', status: 200 });
  });

  it('SignedAssertionFromManagedIdentity through an App Service IDENTITY_ENDPOINT (system-assigned)', async () => {
    const exchange = await aliceListsSubscriptionsWith(oboEnv(fake, { SourceType: 'SignedAssertionFromManagedIdentity' }, fake.miEnv()));
    expect(exchange).toMatchObject({ clientAuth: 'federated', clientAssertionSubject: fake.principals.managedIdentity.oid, status: 200 });
    const mi = fake.state.requests({ service: 'mi' });
    expect(mi).toHaveLength(1);
    expect(mi[0]).toMatchObject({ resource: fake.tokenExchangeAudience, status: 200 });
  });

  it('SignedAssertionFromManagedIdentity with a user-assigned identity (ManagedIdentityClientId)', async () => {
    const env = oboEnv(fake, { SourceType: 'SignedAssertionFromManagedIdentity', ManagedIdentityClientId: fake.principals.userAssignedIdentity.appId! }, fake.miEnv());
    const exchange = await aliceListsSubscriptionsWith(env);
    expect(exchange).toMatchObject({ clientAuth: 'federated', clientAssertionSubject: fake.principals.userAssignedIdentity.oid, status: 200 });
  });

  it('SignedAssertionFilePath (AZURE_FEDERATED_TOKEN_FILE, as AKS workload identity injects it)', async () => {
    const path = await fake.writeFederatedTokenFile();
    const exchange = await aliceListsSubscriptionsWith(oboEnv(fake, { SourceType: 'SignedAssertionFilePath' }, { AZURE_FEDERATED_TOKEN_FILE: path }));
    expect(exchange).toMatchObject({ clientAuth: 'federated', clientAssertionSubject: WORKLOAD_IDENTITY_SUBJECT, status: 200 });
  });

  it("a rejected client credential is an error result naming the server's settings, and the server keeps serving", async () => {
    const server = await startOboServer(fake, { env: oboEnv(fake, { SourceType: 'ClientSecret', ClientSecret: 'the-secret-id-not-its-value' }) });
    try {
      const alice = await connectAs(server, fake, fake.principals.alice);
      for (let i = 0; i < 2; i++) {
        const result = await alice.call('subscription_list');
        expect(result.isError).toBe(true);
        expect(resultText(result)).toMatch(/^AZMCP_AUTHENTICATION_FAILED/);
        expect(resultText(result)).toContain('AADSTS7000215');
        expect(resultText(result)).toContain('AzureAd__ClientCredentials__0__');
      }
      await alice.close();
    } finally {
      await server.stop();
    }
  });
});
