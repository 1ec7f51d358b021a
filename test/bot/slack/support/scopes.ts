/**
 * The bot scopes each Web API method the adapter calls needs (docs.slack.dev method pages). The flow tests
 * check the adapter calls nothing outside this table; the manifest test checks the manifest grants all.
 */
export const METHOD_SCOPES: Record<string, string[]> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'reactions.add': ['reactions:write'],
  'usergroups.users.list': ['usergroups:read'],
  'users.info': ['users:read'],
  // Public channels need channels:read, private ones groups:read.
  'conversations.info': ['channels:read', 'groups:read'],
  // Socket Mode's own call, made with the app-level token (scope connections:write on that token).
  'apps.connections.open': [],
};

/** Scopes the inbound side needs: slash commands, and the events the adapter subscribes to. */
export const INBOUND_SCOPES = {
  commands: ['commands'],
  events: { reaction_added: ['reactions:read'], subteam_members_changed: ['usergroups:read'] },
} as const;
