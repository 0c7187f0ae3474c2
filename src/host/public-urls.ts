/**
 * The URLs clients see: the MCP endpoint (`resource` in metadata) and its Protected Resource Metadata.
 * With AzureMcp__PublicBaseUrl set (a TLS-terminating proxy, Azure Container Apps, Front Door) that origin
 * is used as is; otherwise the request's own scheme and Host. Forwarded headers are not trusted.
 */
import type { FastifyRequest } from 'fastify';

export const MCP_PATH = '/mcp';
export const PRM_PATH = '/.well-known/oauth-protected-resource';
/** RFC 9728 §3.1: the well-known path with the resource's path appended; this is the one advertised. */
export const PRM_MCP_PATH = `${PRM_PATH}${MCP_PATH}`;

export interface PublicUrls {
  /** `https://mcp.contoso.com/mcp`. */
  resource(request: FastifyRequest): string;
  /** `https://mcp.contoso.com/.well-known/oauth-protected-resource/mcp`. */
  metadata(request: FastifyRequest): string;
}

export function createPublicUrls(publicBaseUrl: string | undefined): PublicUrls {
  const base = (request: FastifyRequest) => publicBaseUrl ?? `${request.protocol}://${request.host || localHost(request)}`;
  return {
    resource: (request) => `${base(request)}${MCP_PATH}`,
    metadata: (request) => `${base(request)}${PRM_MCP_PATH}`,
  };
}

function localHost(request: FastifyRequest): string {
  const { localAddress, localPort } = request.raw.socket;
  const host = localAddress?.includes(':') ? `[${localAddress}]` : (localAddress ?? '127.0.0.1');
  return `${host}:${localPort ?? ''}`;
}
