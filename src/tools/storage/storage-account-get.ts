import { z } from 'zod';
import { args, defineTool, READ_ONLY_AZURE_QUERY } from '../define-tool.js';

export const storageAccountGet = defineTool({
  namespace: 'storage',
  command: ['storage', 'account', 'get'],
  description:
    'Get one Azure storage account by name (kind, SKU, location, endpoints, security settings), or list every storage account ' +
    'in the subscription when no account is given.',
  input: {
    subscription: args.subscription,
    account: z.string().min(1).optional().describe('Storage account name. Omit to list all accounts in the subscription.'),
    tenant: args.tenant,
  },
  annotations: { title: 'Get storage accounts', ...READ_ONLY_AZURE_QUERY },
  handler: async ({ subscription, account, tenant }, services, ctx) =>
    account
      ? { accounts: [await services.storage.getAccount(ctx, subscription, account, tenant)] }
      : { accounts: await services.storage.listAccounts(ctx, subscription, tenant) },
});
