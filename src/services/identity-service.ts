/**
 * Who the server calls Azure as. Under on-behalf-of that is the caller, read from Microsoft Graph `/me`
 * with an exchanged token; under the hosting identity it is the principal in the server's own ARM token.
 */
import { defaultScope } from '../config/cloud.js';
import type { RequestContext } from '../context/request-context.js';
import { AzmcpError } from '../errors/azmcp-error.js';
import { BaseAzureService } from './base-service.js';

export interface WhoAmI {
  strategy: string;
  actingAs: 'caller' | 'hosting-identity';
  principal: {
    objectId?: string;
    tenantId?: string;
    displayName?: string;
    userPrincipalName?: string;
    appId?: string;
    type?: 'user' | 'servicePrincipal' | 'managedIdentity' | 'unknown';
  };
}

export class IdentityService extends BaseAzureService {
  async whoami(ctx: RequestContext): Promise<WhoAmI> {
    const strategy = this.deps.credentials.strategy;
    // An app-only caller has no /me: it is refused by the provider, or served by the hosting identity.
    if (strategy === 'UseOnBehalfOf' && ctx.caller?.kind !== 'app') return this.caller(ctx, strategy);
    return this.hostingIdentity(ctx, strategy);
  }

  private hostingIdentity(ctx: RequestContext, strategy: string): Promise<WhoAmI> {
    return this.run('finding the hosting identity', async () => {
      const credential = await this.credential(ctx);
      const token = await credential.getToken(defaultScope(this.deps.cloud.resourceManagerAudience), { abortSignal: ctx.signal });
      if (!token) throw new AzmcpError('AZMCP_CREDENTIAL_UNAVAILABLE', 'The hosting identity returned no token.');
      const claims = await safeDecode(token.token);
      const upn = (claims.upn ?? claims.unique_name ?? claims.preferred_username) as string | undefined;
      const appId = (claims.appid ?? claims.azp) as string | undefined;
      const isUser = claims.idtyp === 'user' || (claims.idtyp === undefined && typeof claims.scp === 'string');
      return {
        strategy,
        actingAs: 'hosting-identity',
        principal: {
          objectId: claims.oid as string | undefined,
          tenantId: claims.tid as string | undefined,
          displayName: claims.name as string | undefined,
          userPrincipalName: upn,
          appId: isUser ? undefined : appId,
          type: isUser ? 'user' : claims.xms_mirid ? 'managedIdentity' : claims.oid ? 'servicePrincipal' : 'unknown',
        },
      };
    });
  }

  private caller(ctx: RequestContext, strategy: string): Promise<WhoAmI> {
    return this.run('reading the caller from Microsoft Graph /me', async () => {
      const credential = await this.credential(ctx);
      const token = await credential.getToken(defaultScope(this.deps.cloud.microsoftGraphAudience), { abortSignal: ctx.signal });
      if (!token) throw new AzmcpError('AZMCP_CREDENTIAL_UNAVAILABLE', 'On-behalf-of returned no Graph token.');
      const response = await fetch(new URL('v1.0/me', this.deps.cloud.microsoftGraphEndpoint), {
        headers: { authorization: `Bearer ${token.token}`, accept: 'application/json' },
        signal: ctx.signal,
      });
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      if (!response.ok) {
        const error = body.error as { code?: string; message?: string } | undefined;
        throw new AzmcpError(
          response.status === 403 ? 'AZMCP_ACCESS_DENIED' : 'AZMCP_AZURE_REQUEST_FAILED',
          `Microsoft Graph /me answered ${response.status}${error?.code ? ` (${error.code})` : ''}: ${error?.message ?? response.statusText}.`,
          { nextStep: "Check that the server's app registration has the Microsoft Graph User.Read delegated permission, with consent." },
        );
      }
      return {
        strategy,
        actingAs: 'caller',
        principal: {
          objectId: body.id as string | undefined,
          tenantId: ctx.caller?.tid,
          displayName: body.displayName as string | undefined,
          userPrincipalName: body.userPrincipalName as string | undefined,
          type: 'user',
        },
      };
    });
  }
}

async function safeDecode(token: string): Promise<Record<string, unknown>> {
  const { decodeJwt } = await import('jose');
  try {
    return decodeJwt(token);
  } catch {
    return {};
  }
}
