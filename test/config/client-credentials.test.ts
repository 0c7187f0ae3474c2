/** On-behalf-of settings are validated at start-up; every error names the key (and its env spelling) and the fix. */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NAMED_CLOUDS, type CloudConfig } from '../../src/config/cloud.js';
import { readOnBehalfOfSettings } from '../../src/config/client-credentials.js';
import { settingsFrom } from '../../src/config/settings.js';
import { readCertificate } from '../../src/credentials/client-assertion.js';
import { instanceDiscoveryDisabled } from '../../src/credentials/on-behalf-of.js';
import { ConfigurationError } from '../../src/errors/azmcp-error.js';
import { generateClientCertificate } from '../fakes/tls.js';

const dir = mkdtempSync(join(tmpdir(), 'azmcp-obo-settings-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const cloud = NAMED_CLOUDS.AzureCloud!;
const base = { 'AzureAd:TenantId': 'contoso.onmicrosoft.com', 'AzureAd:ClientId': '5e4e4000-0000-4000-8000-000000000002' };
const read = (record: Record<string, string>, env: NodeJS.ProcessEnv = {}, c: CloudConfig = cloud) =>
  readOnBehalfOfSettings(settingsFrom({ ...base, ...record }), c, env);
const cred = (record: Record<string, string>) =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [`AzureAd:ClientCredentials:0:${k}`, v]));

describe('on-behalf-of settings', () => {
  it('reads the app registration and defaults the instance to the cloud authority', () => {
    expect(read(cred({ SourceType: 'ClientSecret', ClientSecret: 's3cret' }))).toEqual({
      instance: 'https://login.microsoftonline.com/',
      tenantId: 'contoso.onmicrosoft.com',
      clientId: base['AzureAd:ClientId'],
      credential: { sourceType: 'ClientSecret', clientSecret: 's3cret' },
    });
    expect(read({ 'AzureAd:Instance': 'https://login.stack.local', ...cred({ SourceType: 'clientsecret', ClientSecret: 'x' }) }).instance).toBe(
      'https://login.stack.local/',
    );
  });

  it('names each missing key with its environment spelling', () => {
    const secret = cred({ SourceType: 'ClientSecret', ClientSecret: 'x' });
    expect(() => readOnBehalfOfSettings(settingsFrom({ ...secret, 'AzureAd:TenantId': 't' }), cloud, {})).toThrow(
      /AzureAd:ClientId \(AzureAd__ClientId\) is required for --outgoing-auth-strategy UseOnBehalfOf/,
    );
    expect(() => readOnBehalfOfSettings(settingsFrom({ ...secret, 'AzureAd:ClientId': 'c' }), cloud, {})).toThrow(/AzureAd:TenantId \(AzureAd__TenantId\)/);
    expect(() => read({})).toThrow(
      'AzureAd:ClientCredentials:0:SourceType (AzureAd__ClientCredentials__0__SourceType) is required for --outgoing-auth-strategy UseOnBehalfOf: set it to one of ClientSecret, Certificate, SignedAssertionFromManagedIdentity, SignedAssertionFilePath.',
    );
    expect(() => read(cred({ SourceType: 'KeyVault' }))).toThrow(/SourceType 'KeyVault' is not supported; use one of ClientSecret, Certificate/);
    expect(() => read(cred({ SourceType: 'ClientSecret' }))).toThrow(/AzureAd:ClientCredentials:0:ClientSecret \(AzureAd__ClientCredentials__0__ClientSecret\) is required/);
    expect(() => read(cred({ SourceType: 'Certificate' }))).toThrow(/AzureAd:ClientCredentials:0:CertificateDiskPath .* is required/);
    expect(() => read(cred({ SourceType: 'Certificate', CertificateDiskPath: join(dir, 'missing.pem') }))).toThrow(
      /AzureAd:ClientCredentials:0:CertificateDiskPath: cannot read '.*missing\.pem'/,
    );
    expect(() => read(cred({ SourceType: 'SignedAssertionFilePath' }))).toThrow(
      /SignedAssertionFileDiskPath \(AzureAd__ClientCredentials__0__SignedAssertionFileDiskPath\) is required .* when AZURE_FEDERATED_TOKEN_FILE is not set/,
    );
    expect(() => read(cred({ SourceType: 'SignedAssertionFilePath' }), { AZURE_FEDERATED_TOKEN_FILE: join(dir, 'nope.jwt') })).toThrow(
      /AZURE_FEDERATED_TOKEN_FILE: cannot read/,
    );
    for (const thrower of [() => read({}), () => read(cred({ SourceType: 'ClientSecret' }))]) expect(thrower).toThrow(ConfigurationError);
  });

  it('reads each client credential source', () => {
    const token = file('token.jwt', 'eyJ.eyJ.sig');
    expect(read(cred({ SourceType: 'SignedAssertionFilePath' }), { AZURE_FEDERATED_TOKEN_FILE: token }).credential).toEqual({
      sourceType: 'SignedAssertionFilePath',
      signedAssertionFileDiskPath: token,
    });
    expect(read(cred({ SourceType: 'SignedAssertionFilePath', SignedAssertionFileDiskPath: token }), { AZURE_FEDERATED_TOKEN_FILE: '/elsewhere' }).credential).toMatchObject({
      signedAssertionFileDiskPath: token,
    });
    expect(read(cred({ SourceType: 'SignedAssertionFromManagedIdentity' })).credential).toEqual({
      sourceType: 'SignedAssertionFromManagedIdentity',
      tokenExchangeUrl: 'api://AzureADTokenExchange',
    });
    expect(read(cred({ SourceType: 'SignedAssertionFromManagedIdentity', ManagedIdentityClientId: 'mi-client' }), {}, NAMED_CLOUDS.AzureUSGovernment!).credential).toEqual({
      sourceType: 'SignedAssertionFromManagedIdentity',
      managedIdentityClientId: 'mi-client',
      tokenExchangeUrl: 'api://AzureADTokenExchangeUSGov',
    });
    expect(read(cred({ SourceType: 'SignedAssertionFromManagedIdentity', TokenExchangeUrl: 'api://Custom' })).credential).toMatchObject({ tokenExchangeUrl: 'api://Custom' });
  });
});

describe('certificate PEM', () => {
  const cert = generateClientCertificate('azmcp-test');

  it('takes the key and its certificate in either order, with a SHA-256 thumbprint', () => {
    for (const pem of [`${cert.keyPem}${cert.certPem}`, `${cert.certPem}${cert.keyPem}`]) {
      const read = readCertificate(file('both.pem', pem));
      expect(read.thumbprintSha256).toBe(cert.thumbprintSha256);
      expect(read.privateKey).toContain('-----BEGIN PRIVATE KEY-----');
    }
  });

  it('explains what is missing or wrong', () => {
    expect(() => readCertificate(file('cert-only.pem', cert.certPem))).toThrow(/must be a PEM file with both the private key and the certificate \(no PRIVATE KEY block found\); convert a \.pfx/);
    expect(() => readCertificate(file('key-only.pem', cert.keyPem))).toThrow(/\(no CERTIFICATE block found\)/);
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => readCertificate(file('mismatch.pem', `${otherKey}${cert.certPem}`))).toThrow(/no certificate in '.*' matches its private key/);
    const encrypted = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
    expect(() => readCertificate(file('encrypted.pem', `${encrypted}${cert.certPem}`))).toThrow(/set AzureAd:ClientCredentials:0:CertificatePassword/);
  });
});

describe('instance discovery', () => {
  it('stays on for Microsoft authority hosts and is off for custom clouds and other hosts', () => {
    expect(instanceDiscoveryDisabled(cloud, 'https://login.microsoftonline.com/')).toBe(false);
    expect(instanceDiscoveryDisabled(NAMED_CLOUDS.AzureChinaCloud!, 'https://login.chinacloudapi.cn/')).toBe(false);
    expect(instanceDiscoveryDisabled(cloud, 'https://127.0.0.1:4443/')).toBe(true);
    expect(instanceDiscoveryDisabled({ ...cloud, custom: true }, 'https://login.microsoftonline.com/')).toBe(true);
  });
});
