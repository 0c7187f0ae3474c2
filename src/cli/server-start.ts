/** `azmcp server start`: validate everything, compose, then hand the factory to the chosen host. */
import { resolveServerConfig, type RawServerStartOptions } from '../config/server-options.js';
import { createLogger } from '../logging/logger.js';
import { createServerFactory, createServicesFor } from './compose.js';

export async function serverStart(raw: RawServerStartOptions, env: NodeJS.ProcessEnv): Promise<void> {
  const config = resolveServerConfig(raw, env);
  const logger = createLogger({ debug: config.debug });
  const services = await createServicesFor({
    strategy: config.outgoingAuthStrategy,
    appOnlyCallerStrategy: config.appOnlyCallerStrategy,
    cloud: config.cloud,
    env,
    settings: config.settings,
    logger,
  });
  const factory = createServerFactory(services, config, logger);
  logger.debug({ transport: config.transport, strategy: config.outgoingAuthStrategy, cloud: config.cloud.name, mode: config.mode }, 'starting');

  if (config.transport === 'stdio') {
    const { serveStdio } = await import('../server/stdio.js');
    await serveStdio(factory, logger);
    return;
  }
  throw new Error('HTTP transport is not available in this build.');
}
