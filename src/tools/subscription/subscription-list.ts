import { args, defineTool, READ_ONLY_AZURE_QUERY } from '../define-tool.js';

export const subscriptionList = defineTool({
  namespace: 'subscription',
  command: ['subscription', 'list'],
  description:
    'List the Azure subscriptions the current identity can access (every page), with id, display name, state and tenant. ' +
    'Use it to find a subscription id or name for other tools.',
  input: { tenant: args.tenant },
  annotations: { title: 'List subscriptions', ...READ_ONLY_AZURE_QUERY },
  handler: async ({ tenant }, services, ctx) => ({ subscriptions: await services.subscriptions.list(ctx, tenant) }),
});
