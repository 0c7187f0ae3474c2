/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728): how an MCP client (VS Code) learns which authorization
 * server and scope to ask for. Public routes, outside the authenticated /mcp plugin. Served at the
 * path-aware location the 401 challenge advertises and at the root well-known path for older clients.
 */
import type { FastifyPluginAsync } from 'fastify';
import { authorityOf, scopeUriOf, type IncomingAuthConfig } from '../config/azure-ad.js';
import { PRM_MCP_PATH, PRM_PATH, type PublicUrls } from './public-urls.js';

export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported: string[];
  bearer_methods_supported: ['header'];
}

export function protectedResourceMetadata(auth: IncomingAuthConfig, resource: string): ProtectedResourceMetadata {
  return {
    resource,
    authorization_servers: [authorityOf(auth)],
    scopes_supported: [scopeUriOf(auth)],
    bearer_methods_supported: ['header'],
  };
}

export const metadataRoutes: FastifyPluginAsync<{ auth: IncomingAuthConfig; urls: PublicUrls }> = async (app, { auth, urls }) => {
  const handler = async function sendProtectedResourceMetadata(request: Parameters<PublicUrls['resource']>[0]) {
    return protectedResourceMetadata(auth, urls.resource(request));
  };
  for (const path of [PRM_MCP_PATH, PRM_PATH]) {
    app.get(path, handler);
  }
};
