/**
 * Every `AzureAd:ClientCredentials:0:SourceType` proves the server app to the fake Entra during a real
 * on-behalf-of exchange: what the token endpoint saw is read back from its request log.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AzmcpError } from '../../src/errors/azmcp-error.js';
import { WORKLOAD_IDENTITY_SUBJECT, startFakeAzure, type FakeAzure } from '../fakes/index.js';
import { armScope, contextFor, oboProvider } from './support/obo.js';

let fake: FakeAzure;
beforeAll(async () => {
  fake = await startFakeAzure();
});
afterAll(() => fake?.close());
beforeEach(() => fake.state.reset());

async function exchangeAsAlice(provider: ReturnType<typeof oboProvider>) {
  const token = await (await provider.getCredential(await contextFor(fake, fake.principals.alice))).getToken(armScope(fake));
  return decodeJwt(token!.token);
}

const lastExchange = () => fake.state.tokenRequests({ grantType: 'obo' }).at(-1);

describe('client credential sources', () => {
  it('ClientSecret', async () => {
    const claims = await exchangeAsAlice(oboProvider(fake, { SourceType: 'ClientSecret', ClientSecret: fake.clients.serverApp.secret! }));
    expect(claims.oid).toBe(fake.principals.alice.oid);
    expect(lastExchange()).toMatchObject({ clientAuth: 'secret', status: 200 });
  });

  it('Certificate: a PEM with the private key and the certificate', async () => {
    const claims = await exchangeAsAlice(oboProvider(fake, { SourceType: 'Certificate', CertificateDiskPath: fake.serverAppCertificate.path }));
    expect(claims.oid).toBe(fake.principals.alice.oid);
    expect(lastExchange()).toMatchObject({ clientAuth: 'certificate', status: 200 });
  });

  it('SignedAssertionFilePath: the projected token file, read again when it is rotated', async () => {
    const path = await fake.writeFederatedTokenFile();
    const provider = oboProvider(fake, { SourceType: 'SignedAssertionFilePath', SignedAssertionFileDiskPath: path });
    await exchangeAsAlice(provider);
    expect(lastExchange()).toMatchObject({ clientAuth: 'federated', clientAssertionSubject: WORKLOAD_IDENTITY_SUBJECT, status: 200 });

    // The platform rotates the file: the next exchange presents the new content.
    const untrusted = await fake.writeFederatedTokenFile('system:serviceaccount:other:intruder');
    writeFileSync(path, readFileSync(untrusted));
    const error = await exchangeAsAlice(provider).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AzmcpError);
    expect((error as AzmcpError).code).toBe('AZMCP_AUTHENTICATION_FAILED');
    expect((error as AzmcpError).message).toContain('AADSTS70021');

    writeFileSync(path, readFileSync(await fake.writeFederatedTokenFile()));
    await exchangeAsAlice(provider);
    expect(lastExchange()).toMatchObject({ clientAuth: 'federated', clientAssertionSubject: WORKLOAD_IDENTITY_SUBJECT, status: 200 });
  });

  it('SignedAssertionFilePath defaults to AZURE_FEDERATED_TOKEN_FILE', async () => {
    const path = await fake.writeFederatedTokenFile();
    await exchangeAsAlice(oboProvider(fake, { SourceType: 'SignedAssertionFilePath' }, { env: { AZURE_FEDERATED_TOKEN_FILE: path } }));
    expect(lastExchange()).toMatchObject({ clientAuth: 'federated', status: 200 });
  });

  describe('SignedAssertionFromManagedIdentity through an App Service IDENTITY_ENDPOINT', () => {
    const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };
    beforeAll(() => {
      // MSAL's managed identity reads the App Service variables from the process environment.
      Object.assign(process.env, fake.miEnv());
    });
    afterAll(() => {
      for (const [name, value] of [['IDENTITY_ENDPOINT', saved.endpoint], ['IDENTITY_HEADER', saved.header]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    it('system-assigned: its token for api://AzureADTokenExchange is the client assertion, fetched once', async () => {
      const provider = oboProvider(fake, { SourceType: 'SignedAssertionFromManagedIdentity' });
      await exchangeAsAlice(provider);
      await (await provider.getCredential(await contextFor(fake, fake.principals.bob))).getToken(armScope(fake));

      expect(lastExchange()).toMatchObject({ clientAuth: 'federated', clientAssertionSubject: fake.principals.managedIdentity.oid, status: 200 });
      const mi = fake.state.requests({ service: 'mi' });
      expect(mi).toHaveLength(1);
      expect(mi[0]).toMatchObject({ resource: fake.tokenExchangeAudience, status: 200 });
      expect(fake.state.tokenRequests({ grantType: 'obo' })).toHaveLength(2);
    });

    it('user-assigned, chosen by ManagedIdentityClientId', async () => {
      const provider = oboProvider(fake, {
        SourceType: 'SignedAssertionFromManagedIdentity',
        ManagedIdentityClientId: fake.principals.userAssignedIdentity.appId!,
      });
      await exchangeAsAlice(provider);
      expect(lastExchange()).toMatchObject({ clientAssertionSubject: fake.principals.userAssignedIdentity.oid, status: 200 });
    });

    it('a managed identity that cannot answer is reported with what to check', async () => {
      const provider = oboProvider(fake, { SourceType: 'SignedAssertionFromManagedIdentity', ManagedIdentityClientId: '00000000-0000-4000-8000-00000000dead' });
      const error = (await exchangeAsAlice(provider).catch((e: unknown) => e)) as AzmcpError;
      expect(error).toBeInstanceOf(AzmcpError);
      expect(error.code).toBe('AZMCP_CREDENTIAL_UNAVAILABLE');
      expect(error.message).toContain('user-assigned managed identity 00000000-0000-4000-8000-00000000dead');
      expect(error.describe()).toContain('ManagedIdentityClientId');
    });
  });
});
