/**
 * An MSAL network client that trusts the fake Azure's CA, for in-process tests only. MSAL's own client uses
 * Node's fetch, which trusts NODE_EXTRA_CA_CERTS only when it is set before the process starts — as it is for
 * every spawned server — so in-process tests hand the provider this client instead.
 */
import { request, type Agent } from 'node:https';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

export function caTrustingNetworkClient(agent: Agent): INetworkModule {
  const send = <T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> =>
    new Promise((resolve, reject) => {
      const req = request(url, { method, headers: options?.headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          let body: unknown = {};
          try {
            body = text ? JSON.parse(text) : {};
          } catch {
            body = { error: 'invalid_json', error_description: text };
          }
          resolve({ headers, body: body as T, status: res.statusCode ?? 0 });
        });
      });
      req.on('error', reject);
      if (options?.body !== undefined) req.write(options.body);
      req.end();
    });
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}
