import type { PlatformName, WithCard } from '../../chat/chat-platform.js';
import { buildBoardCard } from '../../chat/messages/board-card.js';
import { ChatRefRepository } from '../../core/chat/chat-ref-repository.js';
import { Deployment } from '../../core/deployments/deployment.entity.js';
import { isTerminal } from '../../core/deployments/lifecycle.js';
import type { BoardState } from './board-store.js';
import { cardHash } from './card-cache.js';
import { chatCall, Wait } from './chat-call.js';
import type { NotifierDeps, NotifyOutcome } from './notifier.js';
import type { Urgency } from './urgency.js';

/**
 * How often the board may be redrawn while its channel is saturated, in turns of the card-edit bucket:
 * every other slot, so the deployments' own cards keep half the channel's edits.
 */
export const BOARD_EVERY_TURNS = 2;

/**
 * The board's claim on an edit slot. With a machine finished since the last drawing: final news older
 * than anything else, so the redraw is the channel's next edit (it carries every machine's final at
 * once; {@link BOARD_EVERY_TURNS} leaves the rest to the cards). Otherwise a state change as old as the
 * last drawing, queued among the cards' own.
 */
function boardUrgency(finished: number, state: BoardState): Urgency {
  return finished > state.finished || !state.messageId
    ? { priority: 'final', since: 0 }
    : { priority: 'state', since: state.drawnAt };
}

/**
 * Draws a saturated channel's board (chat/messages/board-card.ts): posts it when the channel switched
 * on, redraws it when what it shows changed, at most every {@link BOARD_EVERY_TURNS} turns while the
 * channel stays saturated, and until nothing changed after that, so its last version is the channel's
 * latest state.
 */
export async function notifyBoard(
  deps: NotifierDeps,
  platformName: PlatformName,
  channelId: string,
): Promise<NotifyOutcome> {
  const platform = deps.platforms.get(platformName);
  const boards = deps.boards;
  if (!platform || !boards) return { kind: 'unroutable' };
  const state = await boards.state(platformName, channelId);
  if (!state) return { kind: 'done', messages: 0, cardCalls: 0 };

  const em = deps.core.orm.em.fork();
  const ids = await new ChatRefRepository(em).singlesOnBoard(platformName, channelId, new Date(state.since));
  const members = ids.length
    ? await em.find(Deployment, { id: { $in: ids } }, { orderBy: { id: 'asc' } })
    : [];
  const card = buildBoardCard(members);
  const hash = cardHash(card);
  const finished = members.filter((m) => isTerminal(m.status)).length;
  const urgency = boardUrgency(finished, state);
  const loc = { deploymentId: 0, channelId, cardMessageId: state.messageId, threadId: null };
  const call = chatCall(deps.limiter, platform, loc, `board:${channelId}`);
  let cardCalls = 0;
  try {
    if (members.length && hash !== state.hash) {
      let messageId = state.messageId;
      if (messageId) await call('updateCard', urgency, () => platform.updateCard(loc as WithCard, card));
      else ({ messageId } = await call('postCard', urgency, () => platform.postCard(channelId, card)));
      await boards.drawn(platformName, channelId, { messageId, hash, finished });
      cardCalls++;
    }
  } catch (error) {
    if (!(error instanceof Wait)) throw error;
    return { kind: 'wait', ms: error.ms, priority: error.priority };
  }
  const edits = platform.rateBuckets('updateCard', { ...loc, cardMessageId: 'board' });
  // Cards granted at their turn renew nothing: while a turn of them still queues, the board stays up.
  const saturated = state.on || (await deps.limiter.backlog(edits)) >= 1;
  if (!saturated && !cardCalls) return { kind: 'done', messages: 0, cardCalls };
  if (saturated && !state.on) await boards.switchOn(platformName, channelId);
  const turn = Math.max(0, ...edits.map((b) => b.windowMs / b.limit));
  return { kind: 'wait', ms: Math.ceil(BOARD_EVERY_TURNS * turn), priority: 'final' };
}
