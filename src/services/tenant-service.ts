/**
 * Resolves tenant names to ids (`GET /tenants`), cached per identity. It depends only on the credential
 * provider — not on BaseAzureService — which is what lets the base service depend on it without a cycle.
 */
import type { RequestContext } from '../context/request-context.js';
import { AzmcpError } from '../errors/azmcp-error.js';
import { armClientOptions, collect, isGuid, type ServiceDeps, type TenantResolver } from './base-service.js';
import { toAzureError } from './azure-error.js';

export interface TenantInfo {
  tenantId: string;
  displayName?: string;
  defaultDomain?: string;
}

export class TenantService implements TenantResolver {
  constructor(private readonly deps: ServiceDeps) {}

  async list(ctx: RequestContext): Promise<TenantInfo[]> {
    return this.deps.cache.getOrCreate(ctx, 'tenants', async () => {
      try {
        const { SubscriptionClient } = await import('@azure/arm-resources-subscriptions');
        const credential = await this.deps.credentials.getCredential(ctx);
        const client = new SubscriptionClient(credential, armClientOptions(this.deps.cloud));
        const tenants = await collect(client.tenants.list({ abortSignal: ctx.signal }));
        return tenants.map((t) => ({ tenantId: t.tenantId ?? '', displayName: t.displayName, defaultDomain: t.defaultDomain }));
      } catch (error) {
        throw toAzureError(error, 'listing tenants');
      }
    });
  }

  async resolveTenantId(ctx: RequestContext, tenant: string): Promise<string> {
    if (isGuid(tenant)) return tenant;
    const wanted = tenant.toLowerCase();
    const tenants = await this.list(ctx);
    const match = tenants.find(
      (t) => t.displayName?.toLowerCase() === wanted || t.defaultDomain?.toLowerCase() === wanted,
    );
    if (match) return match.tenantId;
    const known = tenants.map((t) => `${t.displayName ?? t.tenantId} (${t.tenantId})`).join(', ') || 'none';
    throw new AzmcpError('AZMCP_NOT_FOUND', `Tenant '${tenant}' was not found among the tenants this identity can see: ${known}.`, {
      nextStep: 'Pass a tenant id, display name or domain from that list.',
    });
  }
}
