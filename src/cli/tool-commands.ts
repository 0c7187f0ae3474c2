/**
 * Every declared tool as a CLI command, derived from its declaration:
 * `group_resource_list` → `azmcp group resource list --subscription X --resource-group Y`.
 * Results print as JSON on stdout; failures print one line on stderr and exit 1.
 */
import { Command } from 'commander';
import { resolveCloud } from '../config/cloud.js';
import { createCliContext } from '../context/request-context.js';
import { createLogger, createSilentLogger } from '../logging/logger.js';
import type { Tool } from '../tools/define-tool.js';
import { createServicesFor } from './compose.js';

interface CommonToolOptions {
  cloud?: string;
  debug?: boolean;
}

export function addToolCommands(program: Command, tools: readonly Tool[], env: NodeJS.ProcessEnv): void {
  const groups = new Map<string, Command>();
  const groupFor = (path: readonly string[]): Command => {
    let parent = program;
    for (let i = 0; i < path.length; i++) {
      const key = path.slice(0, i + 1).join(' ');
      let group = groups.get(key);
      if (!group) {
        group = parent.command(path[i]!).description(`${path.slice(0, i + 1).join(' ')} commands`);
        groups.set(key, group);
      }
      parent = group;
    }
    return parent;
  };

  for (const tool of tools) {
    const words = tool.command;
    const command = groupFor(words.slice(0, -1)).command(words[words.length - 1]!).description(tool.description);
    for (const parameter of tool.parameters) {
      const flag = `--${parameter.name} <value>`;
      if (parameter.required) command.requiredOption(flag, parameter.description);
      else command.option(flag, parameter.description);
    }
    command
      .option('--cloud <name-or-file>', 'AzureCloud, AzureChinaCloud, AzureUSGovernment, or a cloud JSON file (default: AZURE_CLOUD or AzureCloud)')
      .option('--debug', 'debug logs on stderr')
      .action(async (options: Record<string, string> & CommonToolOptions) => {
        const { cloud, debug, ...toolArgs } = options;
        const logger = debug ? createLogger({ debug: true }) : createSilentLogger();
        const services = await createServicesFor({
          strategy: 'UseHostingEnvironmentIdentity',
          cloud: resolveCloud(cloud, env),
          env,
          logger,
        });
        const args = Object.fromEntries(tool.parameters.filter((p) => toolArgs[camel(p.name)] !== undefined).map((p) => [p.name, toolArgs[camel(p.name)]]));
        const result = await tool.invoke(args, services, createCliContext(logger));
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      });
  }
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
