/**
 * `azmcp server start --transport http`: build the app, listen, log the URL, and stop gracefully on
 * SIGTERM/SIGINT — stop accepting, end the long-lived GET streams, let in-flight requests finish, close
 * the sessions. A second signal, or shutdown taking longer than `shutdownTimeoutMs`, exits at once.
 */
import type { AddressInfo } from 'node:net';
import type { HttpHostConfig } from '../config/azure-ad.js';
import { isLoopback } from '../config/server-options.js';
import { OptionError } from '../errors/azmcp-error.js';
import type { Logger } from '../logging/logger.js';
import type { McpServerFactory } from '../server/mcp-server.js';
import { buildHttpApp } from './app.js';
import { MCP_PATH } from './public-urls.js';

export interface StartHttpHostOptions {
  config: HttpHostConfig;
  factory: McpServerFactory;
  logger: Logger;
  shutdownTimeoutMs?: number;
}

export async function startHttpHost({ config, factory, logger, shutdownTimeoutMs = 10_000 }: StartHttpHostOptions): Promise<void> {
  const app = await buildHttpApp({ config, factory, logger });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new OptionError(`--host ${config.host} --port ${config.port}: cannot listen (${code}); choose another --port (0 picks a free one) or --host.`);
  }

  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}${MCP_PATH}`;
  logger.info(
    {
      url,
      stateless: config.stateless,
      incomingAuth: config.auth ? 'Entra ID bearer tokens' : 'DISABLED (--dangerously-disable-http-incoming-auth)',
      tools: factory.tools.length,
    },
    `azmcp serving MCP over Streamable HTTP at ${url}`,
  );
  if (config.auth && !config.publicBaseUrl && !isLoopback(config.host)) {
    logger.warn('AzureMcp__PublicBaseUrl is not set: metadata advertises URLs built from each request (scheme and Host). Behind a TLS-terminating proxy set AzureMcp__PublicBaseUrl=https://<public host>.');
  }
  void app.tokenValidator?.warmUp();

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (received: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(received);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  logger.info({ signal }, 'shutting down: no new connections; finishing in-flight requests');
  const force = (reason: string) => {
    logger.warn({ reason }, 'stopping now without waiting for in-flight requests');
    logger.flush();
    process.exit(1);
  };
  const timer = setTimeout(() => force(`shutdown took longer than ${shutdownTimeoutMs} ms`), shutdownTimeoutMs);
  timer.unref();
  // Either signal, a second time, stops at once (Ctrl-C after a SIGTERM too).
  for (const again of ['SIGTERM', 'SIGINT'] as const) process.once(again, () => force(`${again} during shutdown`));
  await app.close();
  clearTimeout(timer);
  logger.info('stopped');
  // Nothing of ours is left running; if a library keeps a socket open, do not linger for it.
  setTimeout(() => process.exit(0), 1000).unref();
}
