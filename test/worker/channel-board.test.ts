import { afterEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../core/deployments/deployment.entity.js';
import type { RecordingPlatformOptions } from '../support/recording-platform.js';
import { cardShows, type Harness, settled, startHarness } from './support/harness.js';

const api: Actor = { platform: 'api', id: 'ci', name: 'ci' };
const bob: Actor = { platform: 'api', id: 'bob', name: 'bob' };
const MACHINES = 16;

let h!: Harness;
afterEach(async () => {
  await h?.close();
});

const board = () => [...h.platform.cards.values()].find((c) => c.card.title.startsWith('Channel board'));
/** The index in the platform's call log of the first card edit of `id` showing Done. */
const cardDoneAt = (id: number) =>
  h.platform.calls.findIndex(
    (c) => c.action === 'updateCard' && c.deploymentId === id && /Done/.test(c.text ?? ''),
  );

async function finishAtOnce(platform: RecordingPlatformOptions, staggerMs = 0) {
  h = await startHarness({}, platform);
  const ids: number[] = [];
  for (let i = 0; i < MACHINES; i++) {
    const mac = `52:54:00:b0:00:${(i + 1).toString(16).padStart(2, '0')}`;
    const { deployment } = await h.core.deployments.request(
      { mac, os: 'ubuntu2404', hostname: `rack${i + 1}` },
      api,
    );
    await h.core.deployments.approve(deployment.id, bob, { approver: true });
    ids.push(deployment.id);
  }
  for (const id of ids) await cardShows(h, id, 'approved');
  await settled(h, 60_000);
  // Every machine boots and finishes within moments: far more card edits than the channel allows.
  await Promise.all(
    ids.map(async (id, i) => {
      await h.core.deployments.markBooting(id, { platform: 'efi' }, 'kvm');
      await new Promise((r) => setTimeout(r, i * staggerMs));
      await h.core.deployments.recordEvent(id, { stage: 'done', source: 'installer' });
    }),
  );
  for (const id of ids) await cardShows(h, id, 'done');
  await settled(h, 60_000);
  return ids;
}

function expectBoardAheadOfCards(ids: number[]) {
  expect(h.platform.rateLimited).toBe(0);
  const shown = board();
  expect(shown, 'a board in the channel').toBeDefined();
  // One board for the spell, and it ends on every machine done.
  expect([...h.platform.cards.values()].filter((c) => c.card.title.startsWith('Channel board'))).toHaveLength(
    1,
  );
  const last = shown!.card;
  expect(last.statusLine).toBe(`✅ done ${MACHINES}`);
  expect(last.batch!.rows.filter((r) => r.startsWith('✅ rack'))).toHaveLength(MACHINES);
  // The board showed them all done while cards were still catching up: one edit instead of sixteen.
  // (How many cards it beats depends on the machine's load; a quarter is the floor seen under CI.)
  const boardAllDone = h.platform.calls.findIndex(
    (c) => /Card$/.test(c.action) && c.deploymentId === 0 && c.text === `✅ done ${MACHINES}`,
  );
  expect(boardAllDone).toBeGreaterThan(-1);
  const cardsLater = ids.filter((id) => cardDoneAt(id) > boardAllDone);
  expect(cardsLater.length).toBeGreaterThanOrEqual(MACHINES / 4);
  // Every card still ends on its own final state.
  for (const id of ids) expect(h.platform.cardOf(id)?.card.status).toBe('done');
}

/** For each machine, whether the board showed it done before its own card did. */
function boardFirst(ids: number[]): boolean[] {
  const shown = board()!;
  const drawings = h.platform.calls
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => /Card$/.test(c.action) && c.deploymentId === 0)
    .map(({ i }) => i);
  return ids.map((id) => {
    const version = shown.versions.findIndex((v) => v.batch!.rows.some((r) => r.includes(`#${id} — done`)));
    return version >= 0 && drawings[version]! < cardDoneAt(id);
  });
}

describe('a channel whose cards cannot keep up shows a board', () => {
  it('on Discord (5 card edits per 5 s per channel)', { timeout: 120_000 }, async () => {
    const ids = await finishAtOnce({ name: 'discord', limits: 'discord', timeScale: 0.2 });
    expectBoardAheadOfCards(ids);
  });

  it('on Slack (50 card edits a minute per workspace)', { timeout: 120_000 }, async () => {
    const ids = await finishAtOnce({ name: 'slack', limits: 'slack', timeScale: 0.05 });
    expectBoardAheadOfCards(ids);
  });

  it('redraws as machines finish one after another, each final ahead of its card', {
    timeout: 120_000,
  }, async () => {
    const ids = await finishAtOnce({ name: 'discord', limits: 'discord', timeScale: 0.2 }, 150);
    expect(h.platform.rateLimited).toBe(0);
    // Posted, redrawn while the finals came in (several per drawing), and drawn once more at the end.
    expect(board()!.versions.length).toBeGreaterThanOrEqual(3);
    expect(boardFirst(ids).filter(Boolean).length).toBeGreaterThanOrEqual((MACHINES * 3) / 4);
    for (const id of ids) expect(h.platform.cardOf(id)?.card.status).toBe('done');
  });
});
