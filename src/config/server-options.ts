/**
 * `azmcp server start` options → a validated ServerConfig, as a pure function of the raw options and the
 * environment. Every rule of the contract's option table lives here, so it is tested as a matrix and
 * every error is one line naming the option and the fix, before anything listens.
 */
import { OptionError } from '../errors/azmcp-error.js';
import { APP_ONLY_CALLER_STRATEGIES, TOOL_MODES, type AppOnlyCallerStrategy, type OutgoingAuthStrategy, type ToolFilter, type ToolMode } from './choices.js';
import { resolveCloud, type CloudConfig } from './cloud.js';
import { loadSettings, type Settings } from './settings.js';

export const TRANSPORTS = ['stdio', 'http'] as const;
export type Transport = (typeof TRANSPORTS)[number];
export const OUTGOING_AUTH_STRATEGIES = ['NotSet', 'UseHostingEnvironmentIdentity', 'UseOnBehalfOf'] as const;

/** Options as commander hands them over: undefined when the user did not pass them. */
export interface RawServerStartOptions {
  transport?: string;
  host?: string;
  port?: string;
  outgoingAuthStrategy?: string;
  appOnlyCallerStrategy?: string;
  dangerouslyDisableHttpIncomingAuth?: boolean;
  stateless?: boolean;
  mode?: string;
  namespace?: string[];
  tool?: string[];
  readOnly?: boolean;
  cloud?: string;
  config?: string;
  debug?: boolean;
}

export interface HttpConfig {
  host: string;
  port: number;
  stateless: boolean;
  incomingAuth: boolean;
}

export interface ServerConfig {
  transport: Transport;
  http?: HttpConfig;
  outgoingAuthStrategy: OutgoingAuthStrategy;
  /** Under UseOnBehalfOf: what app-only callers get (Reject unless --app-only-caller-strategy says otherwise). */
  appOnlyCallerStrategy: AppOnlyCallerStrategy;
  mode: ToolMode;
  filter: ToolFilter;
  cloud: CloudConfig;
  /** AzureAd__* and other keys: environment over the optional --config JSON file. */
  settings: Settings;
  debug: boolean;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;

export function resolveServerConfig(raw: RawServerStartOptions, env: NodeJS.ProcessEnv): ServerConfig {
  const transport = oneOf('--transport', raw.transport ?? 'stdio', TRANSPORTS);
  const http = transport === 'http' ? resolveHttp(raw, env) : refuseHttpOnly(raw);
  const tools = raw.tool ?? [];
  const namespaces = raw.namespace ?? [];
  if (tools.length > 0 && namespaces.length > 0) {
    throw new OptionError('--namespace cannot be combined with --tool: use one or the other.');
  }
  const requestedMode = oneOf('--mode', raw.mode ?? 'namespace', TOOL_MODES);
  const outgoingAuthStrategy = resolveStrategy(raw.outgoingAuthStrategy, http);
  return {
    transport,
    http,
    outgoingAuthStrategy,
    appOnlyCallerStrategy: resolveAppOnlyCallerStrategy(raw.appOnlyCallerStrategy, outgoingAuthStrategy),
    mode: tools.length > 0 ? 'all' : requestedMode,
    filter: { namespaces, tools, readOnly: raw.readOnly ?? false },
    cloud: resolveCloud(raw.cloud, env),
    settings: loadSettings(env, raw.config),
    debug: raw.debug ?? false,
  };
}

function resolveHttp(raw: RawServerStartOptions, env: NodeJS.ProcessEnv): HttpConfig {
  const host = raw.host ?? DEFAULT_HOST;
  const incomingAuth = !raw.dangerouslyDisableHttpIncomingAuth;
  if (!incomingAuth && !isLoopback(host) && env.ALLOW_INSECURE_EXTERNAL_BINDING?.toLowerCase() !== 'true') {
    throw new OptionError(
      `--dangerously-disable-http-incoming-auth binds loopback only, but --host is ${host}: use --host 127.0.0.1, or set ALLOW_INSECURE_EXTERNAL_BINDING=true if an authenticating proxy sits in front.`,
    );
  }
  return { host, port: resolvePort(raw.port, env), stateless: raw.stateless ?? false, incomingAuth };
}

function refuseHttpOnly(raw: RawServerStartOptions): undefined {
  const httpOnly: Array<[string, unknown]> = [
    ['--host', raw.host],
    ['--port', raw.port],
    ['--stateless', raw.stateless],
    ['--dangerously-disable-http-incoming-auth', raw.dangerouslyDisableHttpIncomingAuth],
  ];
  const passed = httpOnly.find(([, value]) => value !== undefined && value !== false);
  if (passed) throw new OptionError(`${passed[0]} requires --transport http.`);
  return undefined;
}

function resolvePort(option: string | undefined, env: NodeJS.ProcessEnv): number {
  if (option !== undefined) return parsePort('--port', option);
  if (env.PORT) return parsePort('PORT', env.PORT);
  if (env.FUNCTIONS_CUSTOMHANDLER_PORT) return parsePort('FUNCTIONS_CUSTOMHANDLER_PORT', env.FUNCTIONS_CUSTOMHANDLER_PORT);
  return DEFAULT_PORT;
}

function parsePort(source: string, value: string): number {
  const port = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new OptionError(`${source} must be a whole number from 0 to 65535 (0 picks a free port); got '${value}'.`);
  }
  return port;
}

function resolveStrategy(value: string | undefined, http: HttpConfig | undefined): OutgoingAuthStrategy {
  const strategy = oneOf('--outgoing-auth-strategy', value ?? 'NotSet', OUTGOING_AUTH_STRATEGIES);
  const authenticatedHttp = http?.incomingAuth === true;
  if (strategy === 'NotSet') return authenticatedHttp ? 'UseOnBehalfOf' : 'UseHostingEnvironmentIdentity';
  if (strategy === 'UseOnBehalfOf' && !authenticatedHttp) {
    throw new OptionError(
      http
        ? '--outgoing-auth-strategy UseOnBehalfOf needs incoming authentication: remove --dangerously-disable-http-incoming-auth, or use UseHostingEnvironmentIdentity.'
        : '--outgoing-auth-strategy UseOnBehalfOf needs --transport http with incoming authentication (there is no caller token to exchange over stdio).',
    );
  }
  return strategy;
}

function resolveAppOnlyCallerStrategy(value: string | undefined, strategy: OutgoingAuthStrategy): AppOnlyCallerStrategy {
  if (value === undefined) return 'Reject';
  const chosen = oneOf('--app-only-caller-strategy', value, APP_ONLY_CALLER_STRATEGIES);
  if (strategy !== 'UseOnBehalfOf') {
    throw new OptionError(
      '--app-only-caller-strategy applies only to --outgoing-auth-strategy UseOnBehalfOf (--transport http with incoming authentication); with the hosting identity every caller already gets it.',
    );
  }
  return chosen;
}

function oneOf<T extends string>(option: string, value: string, valid: readonly T[]): T {
  const match = valid.find((v) => v.toLowerCase() === value.toLowerCase());
  if (!match) throw new OptionError(`${option} '${value}' is not valid; use one of: ${valid.join(', ')}.`);
  return match;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}
