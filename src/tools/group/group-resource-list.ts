import { args, defineTool, READ_ONLY_AZURE_QUERY } from '../define-tool.js';

export const groupResourceList = defineTool({
  namespace: 'group',
  command: ['group', 'resource', 'list'],
  description: 'List the resources in an Azure resource group, with name, type, location and kind.',
  input: { subscription: args.subscription, 'resource-group': args.resourceGroup, tenant: args.tenant },
  annotations: { title: 'List resources in a resource group', ...READ_ONLY_AZURE_QUERY },
  handler: async (input, services, ctx) => ({
    resources: await services.resourceGroups.listResources(ctx, input.subscription, input['resource-group'], input.tenant),
  }),
});
