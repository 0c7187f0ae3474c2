import { defineTool, READ_ONLY_AZURE_QUERY } from '../define-tool.js';

export const identityWhoami = defineTool({
  namespace: 'identity',
  command: ['identity', 'whoami'],
  description:
    'Show who this server calls Azure as: under on-behalf-of, the signed-in caller (from Microsoft Graph /me); ' +
    'otherwise the hosting identity (service principal, managed identity or developer sign-in) with its tenant.',
  input: {},
  annotations: { title: 'Who am I', ...READ_ONLY_AZURE_QUERY },
  handler: async (_input, services, ctx) => ({ ...(await services.identity.whoami(ctx)) }),
});
