import { args, defineTool, READ_ONLY_AZURE_QUERY } from '../define-tool.js';

export const groupList = defineTool({
  namespace: 'group',
  command: ['group', 'list'],
  description: 'List the resource groups of an Azure subscription (by id or display name), with location and provisioning state.',
  input: { subscription: args.subscription, tenant: args.tenant },
  annotations: { title: 'List resource groups', ...READ_ONLY_AZURE_QUERY },
  handler: async ({ subscription, tenant }, services, ctx) => ({
    groups: await services.resourceGroups.list(ctx, subscription, tenant),
  }),
});
