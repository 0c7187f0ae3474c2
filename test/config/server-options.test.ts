import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveServerConfig, type RawServerStartOptions } from '../../src/config/server-options.js';

const resolve = (raw: RawServerStartOptions, env: NodeJS.ProcessEnv = {}) => resolveServerConfig(raw, env);

describe('server start options', () => {
  it('defaults to stdio, namespace mode, the hosting identity and AzureCloud', () => {
    const config = resolve({});
    expect(config).toMatchObject({ transport: 'stdio', mode: 'namespace', outgoingAuthStrategy: 'UseHostingEnvironmentIdentity', debug: false });
    expect(config.http).toBeUndefined();
    expect(config.cloud.name).toBe('AzureCloud');
  });

  it('lists the valid values of an enumerated option', () => {
    expect(() => resolve({ transport: 'sse' })).toThrow("--transport 'sse' is not valid; use one of: stdio, http.");
    expect(() => resolve({ mode: 'some' })).toThrow("--mode 'some' is not valid; use one of: single, namespace, all.");
    expect(() => resolve({ outgoingAuthStrategy: 'Magic' })).toThrow(/use one of: NotSet, UseHostingEnvironmentIdentity, UseOnBehalfOf/);
  });

  it.each([
    [{ host: '0.0.0.0' }, '--host requires --transport http.'],
    [{ port: '9000' }, '--port requires --transport http.'],
    [{ stateless: true }, '--stateless requires --transport http.'],
    [{ dangerouslyDisableHttpIncomingAuth: true }, '--dangerously-disable-http-incoming-auth requires --transport http.'],
  ])('refuses http-only option %o with stdio', (raw, message) => {
    expect(() => resolve(raw)).toThrow(message);
  });

  it('takes the port from --port, then PORT, then FUNCTIONS_CUSTOMHANDLER_PORT, else 8080', () => {
    expect(resolve({ transport: 'http' }).http?.port).toBe(8080);
    expect(resolve({ transport: 'http' }, { FUNCTIONS_CUSTOMHANDLER_PORT: '7071' }).http?.port).toBe(7071);
    expect(resolve({ transport: 'http' }, { PORT: '3000', FUNCTIONS_CUSTOMHANDLER_PORT: '7071' }).http?.port).toBe(3000);
    expect(resolve({ transport: 'http', port: '0' }, { PORT: '3000' }).http?.port).toBe(0);
  });

  it.each(['65536', '-1', 'abc', '80.5', ''])('refuses port %s naming the option', (port) => {
    expect(() => resolve({ transport: 'http', port })).toThrow(/^--port must be a whole number from 0 to 65535/);
  });

  it('names PORT when the environment holds a bad port', () => {
    expect(() => resolve({ transport: 'http' }, { PORT: 'eighty' })).toThrow(/^PORT must be a whole number/);
  });

  describe('outgoing auth strategy matrix', () => {
    it.each([
      [{}, 'UseHostingEnvironmentIdentity'],
      [{ transport: 'http' }, 'UseOnBehalfOf'],
      [{ transport: 'http', dangerouslyDisableHttpIncomingAuth: true }, 'UseHostingEnvironmentIdentity'],
      [{ transport: 'http', outgoingAuthStrategy: 'UseHostingEnvironmentIdentity' }, 'UseHostingEnvironmentIdentity'],
      [{ transport: 'http', outgoingAuthStrategy: 'useonbehalfof' }, 'UseOnBehalfOf'],
    ] as const)('%o resolves to %s', (raw, strategy) => {
      expect(resolve(raw).outgoingAuthStrategy).toBe(strategy);
    });

    it('refuses UseOnBehalfOf over stdio, saying what it needs', () => {
      expect(() => resolve({ outgoingAuthStrategy: 'UseOnBehalfOf' })).toThrow(/needs --transport http with incoming authentication/);
    });

    it('refuses UseOnBehalfOf with incoming auth disabled', () => {
      expect(() => resolve({ transport: 'http', dangerouslyDisableHttpIncomingAuth: true, outgoingAuthStrategy: 'UseOnBehalfOf' })).toThrow(
        /needs incoming authentication: remove --dangerously-disable-http-incoming-auth/,
      );
    });
  });

  it('binds unauthenticated http to loopback only unless ALLOW_INSECURE_EXTERNAL_BINDING=true', () => {
    const raw = { transport: 'http', dangerouslyDisableHttpIncomingAuth: true, host: '0.0.0.0' };
    expect(() => resolve(raw)).toThrow(/binds loopback only.*ALLOW_INSECURE_EXTERNAL_BINDING=true/);
    expect(resolve(raw, { ALLOW_INSECURE_EXTERNAL_BINDING: 'true' }).http).toMatchObject({ host: '0.0.0.0', incomingAuth: false });
    expect(resolve({ ...raw, host: 'localhost' }).http?.host).toBe('localhost');
  });

  it('--tool forces all mode and cannot be combined with --namespace', () => {
    expect(resolve({ tool: ['group_list'], mode: 'single' }).mode).toBe('all');
    expect(() => resolve({ tool: ['group_list'], namespace: ['group'] })).toThrow('--namespace cannot be combined with --tool');
  });

  it('reads AzureAd settings from --config, with environment variables winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'azmcp-settings-'));
    const file = join(dir, 'appsettings.json');
    writeFileSync(file, JSON.stringify({ AzureAd: { ClientId: 'from-file', TenantId: 'tenant-file', ClientCredentials: [{ SourceType: 'ClientSecret' }] } }));
    const { settings } = resolve({ config: file }, { AzureAd__TenantId: 'tenant-env' });
    expect(settings.get('AzureAd:ClientId')).toBe('from-file');
    expect(settings.get('azuread:tenantid')).toBe('tenant-env');
    expect(settings.get('AzureAd:ClientCredentials:0:SourceType')).toBe('ClientSecret');
    expect(() => resolve({ config: join(dir, 'missing.json') })).toThrow("--config: cannot read");
  });
});
