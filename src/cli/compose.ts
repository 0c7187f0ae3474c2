/**
 * The composition root: from a validated configuration to the one credential provider, the services
 * built around it, and the MCP server factory. Nothing here listens; hosts take the factory.
 */
import type { CloudConfig } from '../config/cloud.js';
import type { Settings } from '../config/settings.js';
import type { AppOnlyCallerStrategy, OutgoingAuthStrategy, AzureTokenCredentialProvider } from '../credentials/provider.js';
import { HostingIdentityCredentialProvider } from '../credentials/hosting-identity.js';
import { selectHostingCredentials } from '../credentials/token-credentials-selection.js';
import { readOnBehalfOfSettings } from '../config/client-credentials.js';
import { loadSettings } from '../config/settings.js';
import type { Logger } from '../logging/logger.js';
import { createServices, type Services } from '../services/index.js';
import { createMcpServerFactory, type McpServerFactory } from '../server/mcp-server.js';
import { ALL_TOOLS, NAMESPACE_DESCRIPTIONS } from '../tools/catalog.js';
import { exposeTools, type ToolMode } from '../tools/modes.js';
import { selectTools, type ToolFilter } from '../tools/selection.js';

export interface RuntimeOptions {
  strategy: OutgoingAuthStrategy;
  cloud: CloudConfig;
  env: NodeJS.ProcessEnv;
  /** AzureAd__* settings; on-behalf-of reads its client credential from them. */
  settings?: Settings;
  /** Under UseOnBehalfOf: refuse app-only callers (default) or serve them with the hosting identity. */
  appOnlyCallerStrategy?: AppOnlyCallerStrategy;
  logger: Logger;
}

export async function createCredentialProvider(options: RuntimeOptions): Promise<AzureTokenCredentialProvider> {
  const hosting = () =>
    new HostingIdentityCredentialProvider({
      cloud: options.cloud,
      credentials: selectHostingCredentials(options.env.AZURE_TOKEN_CREDENTIALS),
    });
  if (options.strategy === 'UseHostingEnvironmentIdentity') return hosting();

  // UseOnBehalfOf: settings and the client credential are validated here, before anything listens.
  const settings = readOnBehalfOfSettings(options.settings ?? loadSettings({}), options.cloud, options.env);
  const { OnBehalfOfCredentialProvider } = await import('../credentials/on-behalf-of.js');
  return new OnBehalfOfCredentialProvider({
    cloud: options.cloud,
    settings,
    logger: options.logger,
    ...(options.appOnlyCallerStrategy === 'UseHostingEnvironmentIdentity' ? { appOnlyCallers: hosting() } : {}),
  });
}

export async function createServicesFor(options: RuntimeOptions): Promise<Services> {
  return createServices(await createCredentialProvider(options), options.cloud);
}

export function createServerFactory(
  services: Services,
  selection: { mode: ToolMode; filter: ToolFilter },
  logger: Logger,
): McpServerFactory {
  const selected = selectTools(ALL_TOOLS, selection.filter);
  return createMcpServerFactory({ tools: exposeTools(selected, selection.mode, NAMESPACE_DESCRIPTIONS), services, logger });
}
