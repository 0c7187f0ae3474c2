/** Host settings from AzureAd__ and AzureMcp__ keys (environment or --config), challenge quoting, log redaction. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveHttpHostConfig } from '../../src/config/azure-ad.js';
import { NAMED_CLOUDS } from '../../src/config/cloud.js';
import { loadSettings, settingsFrom } from '../../src/config/settings.js';
import { isAzmcpError } from '../../src/errors/azmcp-error.js';
import { insufficientScopeChallenge, quoted, unauthorizedChallenge } from '../../src/host/challenge.js';
import { isLoopbackHost, isLoopbackOrigin } from '../../src/host/loopback-guard.js';
import { redactUrl } from '../../src/host/request-log.js';

const HTTP = { host: '127.0.0.1', port: 8080, stateless: false, incomingAuth: true };
const REQUIRED = { 'AzureAd:TenantId': 'tenant-guid', 'AzureAd:ClientId': 'client-guid' };

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isAzmcpError(error)) return `${error.code}: ${error.describe()}`;
    throw error;
  }
  throw new Error('expected an error');
}

describe('resolveHttpHostConfig', () => {
  it('applies the defaults', () => {
    expect(resolveHttpHostConfig(HTTP, settingsFrom(REQUIRED))).toEqual({
      ...HTTP,
      auth: {
        instance: 'https://login.microsoftonline.com/',
        tenantId: 'tenant-guid',
        clientId: 'client-guid',
        requiredScope: 'Mcp.Tools.ReadWrite',
        requiredRole: 'Mcp.Tools.ReadWrite.All',
        multiTenant: false,
      },
      publicBaseUrl: undefined,
      maxRequestsPerMinutePerCaller: 100,
      maxSessions: 1000,
      maxSessionsPerCaller: 10,
      maxUnauthenticatedRequestsPerMinutePerIp: 300,
      sessionIdleTimeoutSeconds: 1800,
      corsAllowedOrigins: undefined,
    });
  });

  it('defaults the instance to the --cloud authority host, as on-behalf-of does', () => {
    const gov = resolveHttpHostConfig(HTTP, settingsFrom(REQUIRED), NAMED_CLOUDS.AzureUSGovernment);
    expect(gov.auth?.instance).toBe('https://login.microsoftonline.us/');
    const explicit = resolveHttpHostConfig(HTTP, settingsFrom({ ...REQUIRED, 'AzureAd:Instance': 'https://login.example' }), NAMED_CLOUDS.AzureUSGovernment);
    expect(explicit.auth?.instance).toBe('https://login.example/');
  });

  it('reads every key, and adds the trailing slash to the instance', () => {
    const config = resolveHttpHostConfig(
      HTTP,
      settingsFrom({
        ...REQUIRED,
        'AzureAd:Instance': 'https://login.microsoftonline.us',
        'AzureMcp:RequiredScope': 'Contoso.Read',
        'AzureMcp:RequiredRole': 'Contoso.Daemon',
        'AzureMcp:PublicBaseUrl': 'https://mcp.contoso.com:8443/',
        'AzureMcp:MaxRequestsPerMinutePerCaller': '0',
        'AzureMcp:MaxSessions': '5',
        'AzureMcp:MaxSessionsPerCaller': '2',
        'AzureMcp:MaxUnauthenticatedRequestsPerMinutePerIp': '0',
        'AzureMcp:SessionIdleTimeoutSeconds': '60',
        'AzureMcp:CorsAllowedOrigins': 'https://a.example, https://b.example:8443/',
      }),
    );
    expect(config).toMatchObject({
      auth: { instance: 'https://login.microsoftonline.us/', requiredScope: 'Contoso.Read', requiredRole: 'Contoso.Daemon' },
      publicBaseUrl: 'https://mcp.contoso.com:8443',
      maxRequestsPerMinutePerCaller: 0,
      maxSessions: 5,
      maxSessionsPerCaller: 2,
      maxUnauthenticatedRequestsPerMinutePerIp: 0,
      sessionIdleTimeoutSeconds: 60,
      corsAllowedOrigins: ['https://a.example', 'https://b.example:8443'],
    });
  });

  it('reads an appsettings-style --config file; the environment wins', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'azmcp-host-config-'));
    const file = join(dir, 'appsettings.json');
    await writeFile(file, JSON.stringify({ AzureAd: { TenantId: 'file-tenant', ClientId: 'file-client' }, AzureMcp: { MaxSessions: 7 } }));
    const config = resolveHttpHostConfig(HTTP, loadSettings({ AzureAd__ClientId: 'env-client' }, file));
    expect(config.auth).toMatchObject({ tenantId: 'file-tenant', clientId: 'env-client' });
    expect(config.maxSessions).toBe(7);
  });

  it('marks common/organizations as multi-tenant', () => {
    expect(resolveHttpHostConfig(HTTP, settingsFrom({ ...REQUIRED, 'AzureAd:TenantId': 'organizations' })).auth?.multiTenant).toBe(true);
  });

  it('needs no AzureAd settings when incoming auth is disabled', () => {
    expect(resolveHttpHostConfig({ ...HTTP, incomingAuth: false }, settingsFrom({})).auth).toBeUndefined();
  });

  it.each([
    [{ 'AzureAd:TenantId': 'tenant-guid' }, /^AZMCP_INVALID_CONFIGURATION: AzureAd__ClientId is not set: incoming authentication needs /],
    [{ 'AzureAd:ClientId': 'client-guid' }, /^AZMCP_INVALID_CONFIGURATION: AzureAd__TenantId is not set: /],
    [{ ...REQUIRED, 'AzureAd:Instance': 'login.microsoftonline.com' }, /AzureAd__Instance 'login.microsoftonline.com' is not an http\(s\) URL/],
    [{ ...REQUIRED, 'AzureMcp:PublicBaseUrl': 'https://mcp.contoso.com/azmcp' }, /AzureMcp__PublicBaseUrl .* must be an origin/],
    [{ ...REQUIRED, 'AzureMcp:PublicBaseUrl': 'mcp.contoso.com' }, /AzureMcp__PublicBaseUrl .* must be an origin/],
    [{ ...REQUIRED, 'AzureMcp:MaxRequestsPerMinutePerCaller': 'lots' }, /AzureMcp__MaxRequestsPerMinutePerCaller must be a whole number of at least 0; got 'lots'/],
    [{ ...REQUIRED, 'AzureMcp:MaxSessions': '0' }, /AzureMcp__MaxSessions must be a whole number of at least 1/],
    [{ ...REQUIRED, 'AzureMcp:MaxSessionsPerCaller': '0' }, /AzureMcp__MaxSessionsPerCaller must be a whole number of at least 1; got '0'/],
    [{ ...REQUIRED, 'AzureMcp:MaxSessionsPerCaller': '2.5' }, /AzureMcp__MaxSessionsPerCaller must be a whole number of at least 1; got '2.5'/],
    [{ ...REQUIRED, 'AzureMcp:MaxUnauthenticatedRequestsPerMinutePerIp': '-1' }, /AzureMcp__MaxUnauthenticatedRequestsPerMinutePerIp must be a whole number of at least 0; got '-1'/],
    [{ ...REQUIRED, 'AzureMcp:CorsAllowedOrigins': 'https://a.example/path' }, /AzureMcp__CorsAllowedOrigins: 'https:\/\/a.example\/path' is not an origin/],
  ])('refuses %j with one line naming the key', (settings, message) => {
    expect(errorOf(() => resolveHttpHostConfig(HTTP, settingsFrom(settings)))).toMatch(message);
  });
});

describe('WWW-Authenticate values', () => {
  it('escape quotes and backslashes and drop control characters', () => {
    expect(quoted('a"b\\c\r\nd')).toBe('"a\\"b\\\\c d"');
    expect(unauthorizedChallenge('https://x/prm', 'bad "aud"\r\nSet-Cookie: a=b')).toBe(
      'Bearer resource_metadata="https://x/prm", error="invalid_token", error_description="bad \\"aud\\" Set-Cookie: a=b"',
    );
    expect(insufficientScopeChallenge('https://x/prm', 'api://c/Mcp.Tools.ReadWrite')).toBe(
      'Bearer error="insufficient_scope", scope="api://c/Mcp.Tools.ReadWrite", resource_metadata="https://x/prm"',
    );
  });
});

describe('helpers', () => {
  it('redactUrl keeps parameter names and drops every value', () => {
    expect(redactUrl('/mcp')).toBe('/mcp');
    expect(redactUrl('/mcp?access_token=eyJ.x.y&code=abc&flag')).toBe('/mcp?access_token=[redacted]&code=[redacted]&flag=[redacted]');
  });

  it('recognises loopback hosts and origins only', () => {
    for (const host of ['localhost', 'localhost:1', '127.0.0.1', '127.1.2.3:80', '[::1]', '[::1]:8080', 'LOCALHOST']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['localhost.evil.example', '127.0.0.1.nip.io', 'evil.example', '[::2]:80', '0.0.0.0']) expect(isLoopbackHost(host), host).toBe(false);
    expect(isLoopbackOrigin('http://localhost:6274')).toBe(true);
    expect(isLoopbackOrigin('null')).toBe(false);
    expect(isLoopbackOrigin('file://localhost')).toBe(false);
  });
});
