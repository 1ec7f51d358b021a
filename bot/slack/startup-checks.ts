import type { webApi } from '@slack/bolt';
import { describe } from './outbound.js';

/**
 * Checks the installation before anything listens, so a wrong token or channel stops start-up with one
 * clear message naming the variable instead of failing at the first request:
 * `auth.test` for the bot token (and our own ids, which Bolt then needs not look up per request), and
 * `conversations.info` for `SLACK_CHANNEL_ID` (it must exist and the bot must be in it).
 */
export async function verifySlackSetup(
  client: webApi.WebClient,
  channelId: string | undefined,
): Promise<{ botId: string; botUserId: string; teamId?: string }> {
  let auth: webApi.AuthTestResponse;
  try {
    auth = await client.auth.test();
  } catch (error) {
    throw new Error(`Slack refused SLACK_BOT_TOKEN (auth.test: ${describe(error)})`);
  }
  if (!auth.user_id || !auth.bot_id) {
    throw new Error('SLACK_BOT_TOKEN is not a bot token (auth.test returned no bot); use the xoxb- token');
  }
  if (channelId) {
    let info: webApi.ConversationsInfoResponse;
    try {
      info = await client.conversations.info({ channel: channelId });
    } catch (error) {
      throw new Error(
        `SLACK_CHANNEL_ID ${channelId} cannot be used (conversations.info: ${describe(error)})`,
      );
    }
    if (info.channel?.is_archived) throw new Error(`SLACK_CHANNEL_ID ${channelId} is archived`);
    if (info.channel && info.channel.is_member === false) {
      throw new Error(
        `the bot is not in SLACK_CHANNEL_ID ${channelId} (#${info.channel.name}); invite it with /invite @<bot name>`,
      );
    }
  }
  return { botId: auth.bot_id, botUserId: auth.user_id, teamId: auth.team_id };
}
