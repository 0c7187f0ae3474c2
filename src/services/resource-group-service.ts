/** Resource groups of a subscription, and the resources in a group. */
import type { RequestContext } from '../context/request-context.js';
import { BaseAzureService, collect, type ServiceDeps, type TenantResolver } from './base-service.js';
import type { SubscriptionService } from './subscription-service.js';

export interface ResourceGroupInfo {
  id?: string;
  name?: string;
  location?: string;
  provisioningState?: string;
  tags?: Record<string, string>;
}

export interface ResourceInfo {
  id?: string;
  name?: string;
  type?: string;
  location?: string;
  kind?: string;
  tags?: Record<string, string>;
}

export class ResourceGroupService extends BaseAzureService {
  constructor(deps: ServiceDeps, tenants: TenantResolver, private readonly subscriptions: SubscriptionService) {
    super(deps, tenants);
  }

  async list(ctx: RequestContext, subscription: string, tenant?: string): Promise<ResourceGroupInfo[]> {
    const subscriptionId = await this.subscriptions.resolveSubscriptionId(ctx, subscription, tenant);
    return this.run(`listing resource groups of subscription ${subscriptionId}`, async () => {
      const client = await this.client(ctx, subscriptionId, tenant);
      const groups = await collect(client.resourceGroups.list({ abortSignal: ctx.signal }));
      return groups.map((g) => ({ id: g.id, name: g.name, location: g.location, provisioningState: g.properties?.provisioningState, tags: g.tags }));
    });
  }

  async listResources(ctx: RequestContext, subscription: string, resourceGroup: string, tenant?: string): Promise<ResourceInfo[]> {
    const subscriptionId = await this.subscriptions.resolveSubscriptionId(ctx, subscription, tenant);
    return this.run(`listing resources of resource group '${resourceGroup}'`, async () => {
      const client = await this.client(ctx, subscriptionId, tenant);
      const resources = await collect(client.resources.listByResourceGroup(resourceGroup, { abortSignal: ctx.signal }));
      return resources.map((r) => ({ id: r.id, name: r.name, type: r.type, location: r.location, kind: r.kind, tags: r.tags }));
    });
  }

  private async client(ctx: RequestContext, subscriptionId: string, tenant?: string) {
    const { ResourceManagementClient } = await import('@azure/arm-resources');
    return new ResourceManagementClient(await this.credential(ctx, tenant), subscriptionId, this.armOptions);
  }
}
