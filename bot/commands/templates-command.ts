import type { CommandReply } from '../../chat/chat-inbound.js';
import type { CommandContext } from './command-context.js';

/**
 * `/templates`: every template with the version in use (`built-in`, or `v3` saved by an operator).
 * Editing stays in the admin API (PUT /api/v1/templates/:name), where it is checked before it is saved.
 */
export async function templatesCommand(ctx: CommandContext): Promise<CommandReply> {
  const items = await ctx.core.templateRepository().list();
  const lines = items.map((t) =>
    t.source === 'builtin'
      ? `${t.name} · built-in`
      : `${t.name} · v${t.version} (operator, ${t.updatedAt?.toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
  );
  return {
    ok: true,
    visibility: 'ephemeral',
    text: ['Templates (edit with PUT /api/v1/templates/<name> on the admin API):', ...lines].join('\n'),
  };
}
