/** The one explicit list of tools. Order is the order users see. */
import type { Tool } from './define-tool.js';
import { groupList } from './group/group-list.js';
import { groupResourceList } from './group/group-resource-list.js';
import { identityWhoami } from './identity/identity-whoami.js';
import { storageAccountGet } from './storage/storage-account-get.js';
import { subscriptionList } from './subscription/subscription-list.js';

export const ALL_TOOLS: readonly Tool[] = [subscriptionList, groupList, groupResourceList, storageAccountGet, identityWhoami];

export const NAMESPACE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  subscription: 'Azure subscriptions the identity can access.',
  group: 'Azure resource groups and the resources in them.',
  storage: 'Azure Storage accounts.',
  identity: 'The identity this server uses to call Azure.',
};
