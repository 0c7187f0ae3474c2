/** `azmcp server start`: validate everything, compose, then hand the factory to the chosen host. */
import { resolveHttpHostConfig } from '../config/azure-ad.js';
import { resolveServerConfig, type RawServerStartOptions } from '../config/server-options.js';
import { createLogger } from '../logging/logger.js';
import { createServerFactory, createServicesFor } from './compose.js';

export async function serverStart(raw: RawServerStartOptions, env: NodeJS.ProcessEnv): Promise<void> {
  const config = resolveServerConfig(raw, env);
  // Incoming-auth and host settings fail here, before composing, so a missing AzureAd__ClientId is the one line shown.
  const http = config.http && resolveHttpHostConfig(config.http, config.settings, config.cloud);
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

  if (!http) {
    const { serveStdio } = await import('../server/stdio.js');
    await serveStdio(factory, logger);
    return;
  }
  const { startHttpHost } = await import('../host/start.js');
  await startHttpHost({ config: http, factory, logger });
}
