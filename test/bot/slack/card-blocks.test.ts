import { describe, expect, it } from 'vitest';
import { APPROVE_ACTION, cardBlocks, cardFallback, REJECT_ACTION } from '../../../bot/slack/card-blocks.js';
import { escapeSlack, unescapeSlack } from '../../../bot/slack/escape.js';
import type { CardModel } from '../../../chat/messages/card.js';
import { progressBar } from '../../../chat/messages/progress-bar.js';
import { checkBlocks } from '../../support/fake-slack/message-content.js';

const base: CardModel = {
  deploymentId: 42,
  title: 'Deployment #42: Tiny & <Linux> → srv01',
  status: 'pending_approval',
  statusLine: '⏳ Waiting for approval',
  tone: 'pending',
  fields: [
    { label: 'Requested by', value: '<!channel> & <@U0BOSS>' },
    { label: 'MAC', value: '52:54:00:12:34:56' },
  ],
  progress: null,
  awaitingDecision: true,
  footer: 'React ✅ to approve or ❌ to reject. <https://evil.example|click>',
};

const mrkdwnTexts = (blocks: unknown[]): string[] => {
  const out: string[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      const o = n as Record<string, unknown>;
      if (o.type === 'mrkdwn') out.push(String(o.text));
      Object.values(o).forEach(walk);
    }
  };
  walk(blocks);
  return out;
};

describe('the Slack card', () => {
  it('is valid Block Kit, with Approve and Reject carrying the deployment id while pending', () => {
    const blocks = cardBlocks(base);
    expect(checkBlocks(blocks)).toBeUndefined();
    const actions = blocks.find((b) => b.type === 'actions') as {
      elements: { action_id: string; value: string }[];
    };
    expect(actions.elements.map((e) => [e.action_id, e.value])).toEqual([
      [APPROVE_ACTION, '42'],
      [REJECT_ACTION, '42'],
    ]);
  });

  it('escapes & < > in every mrkdwn text, so values cannot mention, link or break out', () => {
    const texts = mrkdwnTexts(cardBlocks(base));
    expect(texts).toContain('*Requested by*\n&lt;!channel&gt; &amp; &lt;@U0BOSS&gt;');
    expect(texts.join('\n')).not.toMatch(/<|>|&(?!amp;|lt;|gt;)/);
    expect(cardFallback(base)).toBe(
      'Deployment #42: Tiny &amp; &lt;Linux&gt; → srv01 — ⏳ Waiting for approval',
    );
  });

  it('drops the buttons once decided and shows progress while installing', () => {
    const blocks = cardBlocks({
      ...base,
      status: 'installing',
      statusLine: '⚙️ Installing — Downloading image 45%',
      progress: 45,
      awaitingDecision: false,
    });
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(mrkdwnTexts(blocks)[0]).toBe(`⚙️ Installing — Downloading image 45%\n${progressBar(45)}`);
    expect(progressBar(45)).toBe('▰▰▰▰▰▱▱▱▱▱ 45%');
    expect(progressBar(100)).toBe('▰▰▰▰▰▰▰▰▰▰ 100%');
  });

  it('cuts a title longer than a header allows instead of being refused', () => {
    const blocks = cardBlocks({ ...base, title: `Deployment #42: ${'x'.repeat(300)}` });
    expect(checkBlocks(blocks)).toBeUndefined();
  });

  it('unescapes what Slack escaped in typed text, and only that', () => {
    expect(unescapeSlack('a &amp;lt; b &lt;c&gt; &amp; d')).toBe('a &lt; b <c> & d');
    expect(unescapeSlack(escapeSlack('<&>&amp;'))).toBe('<&>&amp;');
  });
});
