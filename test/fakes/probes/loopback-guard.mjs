// Preload (`node --import <this file>`) that refuses every TCP connection not to loopback, so a process under
// test can prove it never reaches the internet or IMDS (169.254.169.254). Refusals are reported on stderr as
// `LOOPBACK-GUARD refused <host>:<port>` and surface as ECONNREFUSED-style errors in the caller.
import net from 'node:net';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '::ffff:127.0.0.1']);
const originalConnect = net.Socket.prototype.connect;

function target(args) {
  const [first, second] = args;
  if (Array.isArray(first)) return target(first);
  if (first && typeof first === 'object') return { host: first.host ?? 'localhost', port: first.port, path: first.path };
  if (typeof first === 'string' && Number.isNaN(Number(first))) return { path: first };
  return { host: typeof second === 'string' ? second : 'localhost', port: first };
}

net.Socket.prototype.connect = function guardedConnect(...args) {
  const { host, port, path } = target(args);
  if (path === undefined && !LOOPBACK.has(String(host).replace(/^\[|\]$/g, '').toLowerCase())) {
    process.stderr.write(`LOOPBACK-GUARD refused ${host}:${port}\n`);
    const error = Object.assign(new Error(`connect ECONNREFUSED ${host}:${port} (blocked by the test loopback guard)`), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: host, port });
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return originalConnect.apply(this, args);
};
