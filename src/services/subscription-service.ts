/** Subscriptions: every page of `GET /subscriptions`, and display names resolved to ids. */
import type { RequestContext } from '../context/request-context.js';
import { AzmcpError } from '../errors/azmcp-error.js';
import { BaseAzureService, collect, isGuid } from './base-service.js';

export interface SubscriptionInfo {
  subscriptionId: string;
  displayName?: string;
  state?: string;
  tenantId?: string;
}

export class SubscriptionService extends BaseAzureService {
  list(ctx: RequestContext, tenant?: string): Promise<SubscriptionInfo[]> {
    return this.run('listing subscriptions', async () => {
      const { SubscriptionClient } = await import('@azure/arm-resources-subscriptions');
      const client = new SubscriptionClient(await this.credential(ctx, tenant), this.armOptions);
      const subscriptions = await collect(client.subscriptions.list({ abortSignal: ctx.signal }));
      return subscriptions.map((s) => ({
        subscriptionId: s.subscriptionId ?? '',
        displayName: s.displayName,
        state: s.state,
        tenantId: s.tenantId,
      }));
    });
  }

  /** An id is used as given (ARM answers not-found itself); a display name is looked up, cached per identity. */
  async resolveSubscriptionId(ctx: RequestContext, subscription: string, tenant?: string): Promise<string> {
    if (isGuid(subscription)) return subscription;
    const subscriptions = await this.deps.cache.getOrCreate(ctx, `subscriptions:${tenant ?? ''}`, () => this.list(ctx, tenant));
    const wanted = subscription.toLowerCase();
    const matches = subscriptions.filter((s) => s.displayName?.toLowerCase() === wanted);
    if (matches.length === 1) return matches[0]!.subscriptionId;
    if (matches.length > 1) {
      throw new AzmcpError('AZMCP_INVALID_ARGUMENT', `More than one subscription is named '${subscription}': ${matches.map((s) => s.subscriptionId).join(', ')}.`, {
        nextStep: 'Pass the subscription id instead.',
      });
    }
    const known = subscriptions.map((s) => `${s.displayName} (${s.subscriptionId})`).join(', ') || 'none';
    throw new AzmcpError('AZMCP_NOT_FOUND', `Subscription '${subscription}' was not found among the subscriptions this identity can see: ${known}.`, {
      nextStep: 'Pass a subscription id or display name from that list (subscription_list shows them).',
    });
  }
}
