/**
 * Validation of message text and Block Kit blocks with the limits Slack enforces
 * (https://docs.slack.dev/reference/block-kit/blocks): at most 50 blocks per message, section text 3000
 * chars, header 150 plain-text chars, 25 elements per actions block, 10 per context block, unique
 * block_id of at most 255 chars. Message text over 40,000 chars is refused with `msg_too_long`.
 */

/** Longest `text` accepted. */
export const MAX_TEXT = 40_000;
/** Most blocks in one message. */
export const MAX_BLOCKS = 50;

const BLOCK_TYPES = new Set([
  'actions',
  'context',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'markdown',
  'rich_text',
  'section',
  'video',
]);

/** Parsed content, or the Slack error code. */
export type ContentResult = { ok: true; text: string; blocks?: unknown[] } | { ok: false; error: string };

/**
 * Checks `text` and `blocks` as chat.postMessage / chat.update / chat.postEphemeral do. `blocks` may be a
 * JSON string (form-encoded calls) or an array (JSON calls).
 */
export function parseContent(params: Record<string, unknown>): ContentResult {
  const text = params.text === undefined || params.text === null ? '' : String(params.text);
  let blocks: unknown = params.blocks;
  if (typeof blocks === 'string') {
    if (blocks === '') blocks = undefined;
    else {
      try {
        blocks = JSON.parse(blocks);
      } catch {
        return { ok: false, error: 'invalid_blocks_format' };
      }
    }
  }
  if (blocks !== undefined && !Array.isArray(blocks)) return { ok: false, error: 'invalid_blocks_format' };
  const list = blocks as unknown[] | undefined;
  if (text.length > MAX_TEXT) return { ok: false, error: 'msg_too_long' };
  if (list) {
    const problem = checkBlocks(list);
    if (problem) return { ok: false, error: 'invalid_blocks' };
  }
  const hasAttachments = typeof params.attachments === 'string' && params.attachments !== '[]';
  if (text.trim() === '' && !list?.length && !hasAttachments) return { ok: false, error: 'no_text' };
  return list ? { ok: true, text, blocks: list } : { ok: true, text };
}

/** Answers a description of the first invalid block, or undefined when all are valid. */
export function checkBlocks(blocks: unknown[]): string | undefined {
  if (blocks.length > MAX_BLOCKS) return `more than ${MAX_BLOCKS} blocks`;
  const ids = new Set<string>();
  for (const [i, raw] of blocks.entries()) {
    if (typeof raw !== 'object' || raw === null) return `block ${i} is not an object`;
    const b = raw as Record<string, unknown>;
    if (typeof b.type !== 'string' || !BLOCK_TYPES.has(b.type)) return `block ${i} has unknown type`;
    if (b.block_id !== undefined) {
      if (typeof b.block_id !== 'string' || b.block_id.length > 255) return `block ${i} has a bad block_id`;
      if (ids.has(b.block_id)) return `block ${i} repeats block_id ${b.block_id}`;
      ids.add(b.block_id);
    }
    const problem = checkBlock(b);
    if (problem) return `block ${i}: ${problem}`;
  }
  return undefined;
}

function textOf(t: unknown): string | undefined {
  if (typeof t !== 'object' || t === null) return undefined;
  const o = t as Record<string, unknown>;
  if ((o.type !== 'plain_text' && o.type !== 'mrkdwn') || typeof o.text !== 'string') return undefined;
  return o.text;
}

function checkBlock(b: Record<string, unknown>): string | undefined {
  switch (b.type) {
    case 'section': {
      if (b.text === undefined && b.fields === undefined) return 'section needs text or fields';
      if (b.text !== undefined) {
        const t = textOf(b.text);
        if (t === undefined || t.length === 0 || t.length > 3000) return 'section text must be 1-3000 chars';
      }
      if (b.fields !== undefined) {
        if (!Array.isArray(b.fields) || b.fields.length > 10) return 'at most 10 fields';
        if (b.fields.some((f) => (textOf(f)?.length ?? 2001) > 2000)) return 'field over 2000 chars';
      }
      return undefined;
    }
    case 'header': {
      const t = b.text as Record<string, unknown> | undefined;
      if (t?.type !== 'plain_text' || typeof t.text !== 'string' || t.text.length > 150) {
        return 'header needs plain_text of at most 150 chars';
      }
      return undefined;
    }
    case 'actions':
      return elements(b.elements, 25);
    case 'context':
      return elements(b.elements, 10);
    default:
      return undefined;
  }
}

function elements(list: unknown, max: number): string | undefined {
  if (!Array.isArray(list) || list.length === 0 || list.length > max) return `needs 1-${max} elements`;
  const ids = list.map((e) => (e as Record<string, unknown>)?.action_id).filter((id) => id !== undefined);
  if (new Set(ids).size !== ids.length) return 'repeated action_id';
  return undefined;
}
