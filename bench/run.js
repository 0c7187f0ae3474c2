#!/usr/bin/env node
// `npm run bench`: build azmcp, fetch the C# Azure MCP Server (@azure/mcp@2.0.5) into bench/.cache/ (not a
// dependency of the project), then run bench/main.ts. Where the machine allows it, the benchmark runs in a
// fresh network namespace that has nothing but loopback, so no server under test can reach anything else.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, 'bench', '.cache');
const theirsPackage = '@azure/mcp@2.0.5';
const theirsBin = join(cache, 'node_modules', '@azure', `mcp-${platform()}-${arch()}`, 'dist', 'azmcp');
const run = (command, args, options = {}) => spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });

if (run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']).status !== 0) process.exit(1);

const env = { ...process.env };
if (!existsSync(theirsBin)) {
  console.error(`[bench] fetching ${theirsPackage} into bench/.cache/`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = run(npm, ['install', '--prefix', cache, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', theirsPackage], { stdio: ['ignore', 'inherit', 'pipe'] });
  if (result.status !== 0 || !existsSync(theirsBin)) {
    const stderr = result.stderr?.toString().trim().split('\n').slice(-3).join(' ') ?? '';
    env.BENCH_THEIRS_PROBLEM = `npm install ${theirsPackage} ${result.status !== 0 ? `failed (exit ${result.status}): ${stderr}` : `did not provide ${theirsBin} (no platform package for ${platform()}-${arch()})`}`;
  }
}

const main = [process.execPath, '--import', 'tsx', join(root, 'bench', 'main.ts')];
const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
// Loopback only: a network namespace of our own with just `lo` up (needs unshare and ip, and the right to use them).
const probe = spawnSync('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' });
if (probe.status === 0) {
  const result = run('unshare', ['--net', '--', 'sh', '-c', `ip link set lo up && exec ${main.map(quote).join(' ')}`], { env: { ...env, BENCH_NETNS: '1' } });
  process.exit(result.status ?? 1);
}
console.error('[bench] cannot make a loopback-only network namespace here (unshare/ip); running on the host network, loopback addresses only');
process.exit(run(main[0], main.slice(1), { env: { ...env, BENCH_NETNS: '0' } }).status ?? 1);
