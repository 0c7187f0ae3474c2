/**
 * The conformance fixtures served by azmcp's own HTTP host: the same `buildHttpApp` (Fastify, CORS, DNS
 * rebinding guard, error mapping, session store, SDK transport) and the same settings resolution as
 * `azmcp server start --transport http --dangerously-disable-http-incoming-auth`, with only the MCP
 * server factory swapped for the fixtures'. Listens on 127.0.0.1, any free port.
 */
import type { AddressInfo } from 'node:net';
import { resolveHttpHostConfig } from '../../src/config/azure-ad.js';
import { settingsFrom } from '../../src/config/settings.js';
import { buildHttpApp } from '../../src/host/app.js';
import { createSilentLogger } from '../../src/logging/logger.js';
import { createFixtureServerFactory } from './fixtures.js';

export interface FixtureHost {
  /** http://127.0.0.1:PORT/mcp */
  url: string;
  close(): Promise<void>;
}

export async function startFixtureHost({ stateless }: { stateless: boolean }): Promise<FixtureHost> {
  const config = resolveHttpHostConfig(
    { host: '127.0.0.1', port: 0, stateless, incomingAuth: false },
    // The suite sends a few hundred requests from one address within a minute; the per-caller limit
    // (100/min, keyed by IP without auth) is tested in test/host, not here.
    settingsFrom({ 'AzureMcp:MaxRequestsPerMinutePerCaller': '0' }),
  );
  const app = await buildHttpApp({ config, factory: createFixtureServerFactory(), logger: createSilentLogger() });
  await app.listen({ host: config.host, port: config.port });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/mcp`, close: () => app.close() };
}
