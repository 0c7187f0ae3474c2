/**
 * Spawns `node bin/azmcp.js server start --transport http --port 0 …` as a hosting platform would, waits
 * for the "serving MCP over Streamable HTTP at <url>" log line on stderr, and stops it with a signal.
 *
 *   const server = await startHttpServer({ args: ['--outgoing-auth-strategy', 'UseHostingEnvironmentIdentity'], env });
 *   await fetch(server.url, …);            // http://127.0.0.1:PORT/mcp
 *   const { code } = await server.stop();  // SIGTERM, graceful shutdown
 *
 * The env is passed as is (build it with `hostingEnv(fake, …)` so nothing probes IMDS).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { AZMCP_BIN, REPO_ROOT } from './paths.js';

export interface HttpServerHandle {
  /** The MCP endpoint, e.g. `http://127.0.0.1:41234/mcp`. */
  url: string;
  /** `http://127.0.0.1:41234`. */
  baseUrl: string;
  process: ChildProcess;
  /** Everything written to stderr so far (pino JSON lines). */
  stderr(): string;
  /** stderr parsed as JSON log lines (non-JSON lines skipped). */
  logs(): Array<Record<string, unknown>>;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (default SIGTERM) and waits for the exit; SIGKILL after `killAfterMs`. */
  stop(signal?: NodeJS.Signals, killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartHttpServerOptions {
  /** After `server start --transport http`. */
  args?: string[];
  env: NodeJS.ProcessEnv;
  /** Before the script, e.g. `['--import', fake.loopbackGuardPath]` to prove no traffic leaves loopback. */
  nodeArgs?: string[];
  /** `--port` value; null passes none (to test PORT / FUNCTIONS_CUSTOMHANDLER_PORT). Default 0. */
  port?: number | null;
  /** How long to wait for the listening line (default 20 s). */
  startTimeoutMs?: number;
}

const LISTENING = /serving MCP over Streamable HTTP at (http:\/\/[^\s"]+)/;

export async function startHttpServer(options: StartHttpServerOptions): Promise<HttpServerHandle> {
  const portArgs = options.port === null ? [] : ['--port', String(options.port ?? 0)];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), AZMCP_BIN, 'server', 'start', '--transport', 'http', ...portArgs, ...(options.args ?? [])], {
    env: options.env,
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`azmcp did not log its listening URL within ${options.startTimeoutMs ?? 20_000} ms. stderr:\n${stderr}`));
    }, options.startTimeoutMs ?? 20_000);
    const onData = () => {
      const match = LISTENING.exec(stderr);
      if (!match) return;
      clearTimeout(timer);
      child.stderr.off('data', onData);
      resolve(match[1]!);
    };
    child.stderr.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`azmcp exited (code ${code}, signal ${signal}) before listening. stderr:\n${stderr}`));
    });
  });

  const stop: HttpServerHandle['stop'] = async (signal = 'SIGTERM', killAfterMs = 15_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    }
    return exited;
  };

  return {
    url,
    baseUrl: new URL(url).origin,
    process: child,
    stderr: () => stderr,
    logs: () => parseLogLines(stderr),
    exited,
    stop,
  };
}

/** Runs `server start` expecting it to fail before listening: its exit code and stderr. */
export async function runServerStartToExit(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [AZMCP_BIN, 'server', 'start', ...args], { env, cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.resume();
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stderr };
}

export function parseLogLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}
