/**
 * The azmcp command line: `server start` and one command per tool. Option errors print one line on
 * stderr naming the option and the fix, and exit 1 before anything listens.
 */
import { Command, Option } from 'commander';
import { OUTGOING_AUTH_STRATEGIES, TRANSPORTS } from '../config/server-options.js';
import { APP_ONLY_CALLER_STRATEGIES } from '../credentials/provider.js';
import { isAzmcpError } from '../errors/azmcp-error.js';
import { ALL_TOOLS } from '../tools/catalog.js';
import { TOOL_MODES } from '../tools/modes.js';
import { SERVER_INFO } from '../server/mcp-server.js';
import { addToolCommands } from './tool-commands.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(env: NodeJS.ProcessEnv): Command {
  const program = new Command('azmcp')
    .description('Azure MCP server: stdio locally, Entra ID-authenticated Streamable HTTP remotely.')
    .version(SERVER_INFO.version)
    .showHelpAfterError('(run with --help for usage)');

  const server = program.command('server').description('Run the MCP server.');
  server
    .command('start')
    .description('Start the MCP server (stdio by default, or Streamable HTTP with --transport http).')
    .addOption(new Option('--transport <transport>', 'stdio, or http for a remote Streamable HTTP service (default: stdio)'))
    .addOption(new Option('--host <address>', 'http only: address to bind (default: 127.0.0.1)'))
    .addOption(new Option('--port <port>', 'http only: port, 0 for any free port (default: PORT or FUNCTIONS_CUSTOMHANDLER_PORT env, else 8080)'))
    .addOption(
      new Option('--outgoing-auth-strategy <strategy>', `how the server authenticates to Azure: ${OUTGOING_AUTH_STRATEGIES.join(', ')} (default: NotSet = UseOnBehalfOf for authenticated http, else UseHostingEnvironmentIdentity)`),
    )
    .addOption(
      new Option('--app-only-caller-strategy <strategy>', `UseOnBehalfOf only: ${APP_ONLY_CALLER_STRATEGIES.join(', ')} — refuse app-only callers, or serve them with the hosting identity (default: Reject)`),
    )
    .addOption(new Option('--dangerously-disable-http-incoming-auth', 'http only: accept unauthenticated callers (loopback only unless ALLOW_INSECURE_EXTERNAL_BINDING=true)'))
    .addOption(new Option('--stateless', 'http only: no Mcp-Session-Id; any replica can serve any request'))
    .addOption(new Option('--mode <mode>', `${TOOL_MODES.join(', ')}: one azure tool, one tool per namespace, or every tool (default: namespace)`))
    .addOption(new Option('--namespace <namespace>', 'expose only this namespace (repeatable)').argParser(collect))
    .addOption(new Option('--tool <tool>', 'expose only this tool (repeatable; forces --mode all)').argParser(collect))
    .addOption(new Option('--read-only', 'hide and refuse tools that are not read-only'))
    .addOption(new Option('--cloud <name-or-file>', 'AzureCloud, AzureChinaCloud, AzureUSGovernment, or a cloud JSON file (default: AZURE_CLOUD env, else AzureCloud)'))
    .addOption(new Option('--config <file>', 'appsettings-style JSON file with AzureAd settings; environment variables (AzureAd__ClientId) win'))
    .addOption(new Option('--debug', 'debug-level logs (stderr)'))
    .action(async (options) => {
      const { serverStart } = await import('./server-start.js');
      await serverStart(options, env);
    });

  addToolCommands(program, ALL_TOOLS, env);
  return program;
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    await buildProgram(env).parseAsync([...argv]);
  } catch (error) {
    const message = isAzmcpError(error) ? error.describe() : error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\n`);
    process.exitCode = 1;
  }
}
