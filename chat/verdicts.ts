/** What a reaction or button on a request card decides. */
export type Verdict = 'approve' | 'reject';

export const APPROVE_EMOJI = '✅';
export const REJECT_EMOJI = '❌';

const VERDICT_OF_EMOJI: Readonly<Record<string, Verdict>> = {
  [APPROVE_EMOJI]: 'approve',
  [REJECT_EMOJI]: 'reject',
};

/**
 * The verdict of a reaction on a card, by its Unicode emoji, or undefined for any other reaction.
 * Adapters translate their platform's form first (Slack reports `white_check_mark`, Discord the emoji).
 */
export function verdictOfEmoji(emoji: string): Verdict | undefined {
  return VERDICT_OF_EMOJI[emoji];
}

/** Refusals that are about who reacted: the reaction decided nothing and must not look as if it had. */
const REFUSED_FOR_WHO = new Set(['deploy:not-approver', 'deploy:self-approval']);

/**
 * Whether an adapter should take a decision reaction away again, where its platform lets a bot remove
 * another user's reaction (Discord, with Manage Messages; Slack lets an app remove only its own).
 */
export function shouldTakeBackReaction(reply: { ok: boolean; code?: string }): boolean {
  return !reply.ok && reply.code !== undefined && REFUSED_FOR_WHO.has(reply.code);
}
