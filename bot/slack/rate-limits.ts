import { webApi } from '@slack/bolt';
import {
  type ChatAction,
  type ChatLocation,
  type RateBucket,
  RateLimitedError,
} from '../../chat/chat-platform.js';

/**
 * Slack's limits as https://docs.slack.dev/apis/web-api/rate-limits documents them, as buckets the shared
 * notifier enforces across every worker (in Redis):
 * - `chat.postMessage`: about one message per second per channel, thread replies included, and several
 *   hundred per minute per workspace;
 * - `chat.update` and `reactions.add`: Tier 3, 50+ per minute per workspace.
 * A card costs one post and two reactions (✅ and ❌), so it takes one slot of a bucket half as wide.
 * Card edits are also paced (`updatePace`, our own rule, not Slack's): the minute's 50 spent in a burst
 * would freeze every card for the rest of the minute, and a channel's one message a second and its card
 * edits together show final states soonest when the edits keep coming.
 */
export const SLACK_LIMITS = {
  postPerChannel: { limit: 1, windowMs: 1000 },
  postPerWorkspace: { limit: 300, windowMs: 60_000 },
  update: { limit: 50, windowMs: 60_000 },
  updatePace: { limit: 5, windowMs: 6000 },
  cardReactions: { limit: 25, windowMs: 60_000 },
} as const;

/** Bucket keys; `slack:post:<channel>` is shared by a channel's cards and every thread in it. */
export const bucketKeys = {
  post: (channelId: string) => `slack:post:${channelId}`,
  postWorkspace: 'slack:post',
  update: 'slack:chat.update',
  updatePace: 'slack:chat.update:pace',
  cardReactions: 'slack:reactions.add',
};

/** {@link ChatPlatform.rateBuckets} of the Slack adapter. */
export function slackRateBuckets(action: ChatAction, ref: ChatLocation): RateBucket[] {
  const post = [
    { key: bucketKeys.post(ref.channelId), ...SLACK_LIMITS.postPerChannel },
    { key: bucketKeys.postWorkspace, ...SLACK_LIMITS.postPerWorkspace },
  ];
  switch (action) {
    case 'postCard':
      return [...post, { key: bucketKeys.cardReactions, ...SLACK_LIMITS.cardReactions }];
    case 'postThreadMessage':
    case 'postChannelMessage':
      return post;
    case 'updateCard':
      return [
        { key: bucketKeys.update, ...SLACK_LIMITS.update },
        { key: bucketKeys.updatePace, ...SLACK_LIMITS.updatePace },
      ];
    case 'createThread':
      // A Slack thread is the card's ts: opening one calls nothing.
      return [];
  }
}

/**
 * Turns the WebClient's 429 (thrown because the client is built with `rejectRateLimitedCalls: true`,
 * instead of pausing its whole queue) into the shared {@link RateLimitedError}, naming the bucket that
 * Slack refused so only that one waits. Anything else passes through unchanged.
 */
export function asRateLimited(error: unknown, bucket?: string): unknown {
  const e = error as { code?: string; retryAfter?: number };
  if (e?.code !== webApi.ErrorCode.RateLimitedError) return error;
  const seconds = typeof e.retryAfter === 'number' && e.retryAfter > 0 ? e.retryAfter : 1;
  return new RateLimitedError(seconds * 1000, bucket);
}
