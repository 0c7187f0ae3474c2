/**
 * pino to stderr only: in stdio mode stdout is the MCP channel. Anything that could carry a token,
 * secret or Authorization header is redacted at the logger, so no call site has to remember.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export const REDACTED_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'request.headers.authorization',
  'token',
  'accessToken',
  'access_token',
  'assertion',
  'clientSecret',
  'client_secret',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.assertion',
  '*.clientSecret',
  '*.client_secret',
];

export interface LoggerOptions {
  debug?: boolean;
  /** Where to write; defaults to stderr (fd 2). Tests may pass a stream. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? pino.destination({ fd: 2, sync: false });
  return pino(
    {
      name: 'azmcp',
      level: options.debug ? 'debug' : 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
    },
    destination,
  );
}

/** A logger that writes nothing: for CLI tool commands, where stderr should stay quiet unless --debug. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
