import { type CheckContext, type CheckResult, fail, ok, reason, warn } from './check.js';

/** Slack and Discord: the token is valid and the bot can use its channel; the shell needs nothing. */
export async function checkChat(ctx: CheckContext): Promise<CheckResult[]> {
  const { config } = ctx;
  if (!config.chatPlatforms.length) {
    return [ok('chat', 'Chat', 'shell adapter (no DISCORD_TOKEN or SLACK_BOT_TOKEN): nothing to check')];
  }
  const results: CheckResult[] = [];
  if (config.SLACK_BOT_TOKEN) results.push(...(await checkSlack(ctx, config.SLACK_BOT_TOKEN)));
  if (config.DISCORD_TOKEN) results.push(...(await checkDiscord(ctx, config.DISCORD_TOKEN)));
  return results;
}

/** `auth.test`, then `conversations.info` of SLACK_CHANNEL_ID with `is_member`. */
async function checkSlack({ config, timeoutMs }: CheckContext, token: string): Promise<CheckResult[]> {
  const base = (config.SLACK_API_URL ?? 'https://slack.com/api/').replace(/\/*$/, '/');
  const call = async (method: string, params: Record<string, string> = {}) => {
    const res = await fetch(`${base}${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return (await res.json()) as Record<string, unknown> & { ok: boolean; error?: string };
  };
  let auth: Awaited<ReturnType<typeof call>>;
  try {
    auth = await call('auth.test');
  } catch (error) {
    return [
      fail(
        'chat:slack',
        'Slack',
        `cannot reach ${base} (${reason(error)})`,
        'check the network, or SLACK_API_URL',
      ),
    ];
  }
  if (!auth.ok) {
    return [
      fail(
        'chat:slack',
        'Slack',
        `SLACK_BOT_TOKEN was refused (${auth.error})`,
        'copy the Bot User OAuth Token (xoxb-…) of the installed app into SLACK_BOT_TOKEN (docs/slack.md)',
      ),
    ];
  }
  const results = [ok('chat:slack', 'Slack', `token valid: bot ${auth.user} in ${auth.team}`)];
  const channel = config.SLACK_CHANNEL_ID;
  if (!channel) {
    results.push(
      warn(
        'chat:slack-channel',
        'Slack channel',
        'SLACK_CHANNEL_ID is not set: cards go to the channel a command came from',
      ),
    );
    return results;
  }
  const info = await call('conversations.info', { channel }).catch((error) => ({
    ok: false,
    error: reason(error),
  }));
  const member = (info as { channel?: { is_member?: boolean; name?: string } }).channel;
  if (!info.ok) {
    results.push(
      fail(
        'chat:slack-channel',
        'Slack channel',
        `${channel}: ${info.error}`,
        'set SLACK_CHANNEL_ID to the id of a channel the app can see',
      ),
    );
  } else if (!member?.is_member) {
    results.push(
      fail(
        'chat:slack-channel',
        'Slack channel',
        `the bot is not in #${member?.name ?? channel}`,
        `invite it: /invite @${auth.user} in that channel`,
      ),
    );
  } else results.push(ok('chat:slack-channel', 'Slack channel', `the bot is in #${member.name ?? channel}`));
  return results;
}

/** `GET /users/@me`, then `GET /channels/:id` of DISCORD_CHANNEL_ID. */
async function checkDiscord({ config, timeoutMs }: CheckContext, token: string): Promise<CheckResult[]> {
  // DISCORD_API_BASE is what discord.js takes as `rest.api`; it appends the version.
  const base = `${(config.DISCORD_API_BASE ?? 'https://discord.com/api').replace(/\/+$/, '')}/v10`;
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`, {
      headers: { authorization: `Bot ${token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  };
  let me: Awaited<ReturnType<typeof get>>;
  try {
    me = await get('/users/@me');
  } catch (error) {
    return [
      fail(
        'chat:discord',
        'Discord',
        `cannot reach ${base} (${reason(error)})`,
        'check the network, or DISCORD_API_BASE',
      ),
    ];
  }
  if (me.status !== 200) {
    return [
      fail(
        'chat:discord',
        'Discord',
        `DISCORD_TOKEN was refused (HTTP ${me.status})`,
        "copy the bot token from the Developer Portal's Bot page into DISCORD_TOKEN (docs/discord.md)",
      ),
    ];
  }
  const results = [ok('chat:discord', 'Discord', `token valid: bot ${String(me.body.username)}`)];
  const channel = config.DISCORD_CHANNEL_ID;
  if (!channel) {
    results.push(
      warn(
        'chat:discord-channel',
        'Discord channel',
        'DISCORD_CHANNEL_ID is not set: cards go to the channel a command came from',
      ),
    );
    return results;
  }
  const ch = await get(`/channels/${channel}`).catch((error) => ({
    status: 0,
    body: { message: reason(error) } as Record<string, unknown>,
  }));
  results.push(
    ch.status === 200
      ? ok('chat:discord-channel', 'Discord channel', `the bot can see #${String(ch.body.name ?? channel)}`)
      : fail(
          'chat:discord-channel',
          'Discord channel',
          `${channel}: ${ch.status ? `HTTP ${ch.status}` : ''} ${String(ch.body.message ?? '')}`.trim(),
          'invite the bot to the server with the OAuth2 URL in docs/discord.md and give it access to that channel',
        ),
  );
  return results;
}
