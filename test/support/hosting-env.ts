import { pathToFileURL } from 'node:url';
import { DEFAULT_CLIENTS } from '../fakes/defaults.js';
import type { FakeAzure } from '../fakes/index.js';

/**
 * Environment for a spawned azmcp whose hosting identity is the fake `hostApp` service principal.
 * AZURE_TOKEN_CREDENTIALS pins the chain to EnvironmentCredential so nothing ever probes IMDS, and the
 * loopback guard makes any connection off 127.0.0.1 fail loudly (`LOOPBACK-GUARD refused …` on stderr).
 */
export function hostingEnv(fake: FakeAzure, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_EXTRA_CA_CERTS: fake.caCertPath,
    NODE_OPTIONS: `--import ${pathToFileURL(fake.loopbackGuardPath).href}`,
    AZURE_TOKEN_CREDENTIALS: 'EnvironmentCredential',
    AZURE_TENANT_ID: fake.tenantId,
    AZURE_CLIENT_ID: DEFAULT_CLIENTS.hostApp.clientId,
    AZURE_CLIENT_SECRET: DEFAULT_CLIENTS.hostApp.secret,
    ...extra,
  };
}
