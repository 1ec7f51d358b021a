import type { APIEmbed } from 'discord-api-types/v10';
import { emptyMessage, type FieldProblem, invalidFormBody } from './errors.js';

/**
 * Discord's message limits, checked the way Discord answers them (50035 with per-field errors).
 * @see https://discord.com/developers/docs/resources/message#create-message-jsonform-params
 * @see https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 */
const LIMITS = {
  content: 2000,
  embeds: 10,
  embedTotal: 6000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  actionRows: 5,
  rowItems: 5,
  customId: 100,
  label: 80,
} as const;

const tooLong = (path: string, max: number): FieldProblem => ({
  path,
  code: 'BASE_TYPE_MAX_LENGTH',
  message: `Must be ${max} or fewer in length.`,
});

/** The message-shaped part of a create/edit body. */
export interface MessageFields {
  content?: unknown;
  embeds?: unknown;
  components?: unknown;
  attachments?: unknown;
  sticker_ids?: unknown;
  poll?: unknown;
}

/** Throws 50035 for fields over Discord's limits. */
export function checkMessageFields(body: MessageFields): void {
  const problems: FieldProblem[] = [];
  if (body.content !== undefined && body.content !== null) {
    if (typeof body.content !== 'string') {
      problems.push({ path: 'content', code: 'BASE_TYPE_STRING', message: 'Must be a string.' });
    } else if (body.content.length > LIMITS.content) {
      problems.push(tooLong('content', LIMITS.content));
    }
  }
  if (Array.isArray(body.embeds)) checkEmbeds(body.embeds as APIEmbed[], problems);
  if (Array.isArray(body.components)) checkComponents(body.components, problems);
  if (problems.length > 0) throw invalidFormBody(problems);
}

/** Throws 50006 when the resulting message would show nothing. */
export function checkNotEmpty(body: MessageFields, hasFiles: boolean): void {
  const filled = (v: unknown) => Array.isArray(v) && v.length > 0;
  const hasContent = typeof body.content === 'string' && body.content.trim() !== '';
  if (
    !hasContent &&
    !filled(body.embeds) &&
    !filled(body.components) &&
    !filled(body.sticker_ids) &&
    !filled(body.attachments) &&
    !body.poll &&
    !hasFiles
  ) {
    throw emptyMessage();
  }
}

function checkEmbeds(embeds: APIEmbed[], problems: FieldProblem[]): void {
  if (embeds.length > LIMITS.embeds) problems.push(tooLong('embeds', LIMITS.embeds));
  let total = 0;
  embeds.forEach((e, i) => {
    const at = (field: string) => `embeds.${i}.${field}`;
    const check = (value: string | undefined, path: string, max: number) => {
      total += value?.length ?? 0;
      if ((value?.length ?? 0) > max) problems.push(tooLong(path, max));
    };
    check(e.title, at('title'), LIMITS.title);
    check(e.description, at('description'), LIMITS.description);
    check(e.footer?.text, at('footer.text'), LIMITS.footer);
    check(e.author?.name, at('author.name'), LIMITS.author);
    const fields = e.fields ?? [];
    if (fields.length > LIMITS.fields) problems.push(tooLong(at('fields'), LIMITS.fields));
    fields.forEach((f, j) => {
      for (const key of ['name', 'value'] as const) {
        if (typeof f[key] !== 'string' || f[key] === '') {
          problems.push({
            path: at(`fields.${j}.${key}`),
            code: 'BASE_TYPE_REQUIRED',
            message: 'This field is required',
          });
        }
      }
      check(f.name, at(`fields.${j}.name`), LIMITS.fieldName);
      check(f.value, at(`fields.${j}.value`), LIMITS.fieldValue);
    });
  });
  if (total > LIMITS.embedTotal) {
    problems.push({
      path: 'embeds',
      code: 'MAX_EMBED_SIZE_EXCEEDED',
      message: `Embed size exceeds maximum size of ${LIMITS.embedTotal}`,
    });
  }
}

interface LooseComponent {
  type?: number;
  custom_id?: unknown;
  label?: unknown;
  components?: LooseComponent[];
}

function checkComponents(rows: unknown[], problems: FieldProblem[]): void {
  const seen = new Set<string>();
  const isActionRows = rows.every((r) => (r as LooseComponent).type === 1);
  if (isActionRows && rows.length > LIMITS.actionRows)
    problems.push(tooLong('components', LIMITS.actionRows));
  rows.forEach((row, i) => {
    const children = (row as LooseComponent).components ?? [];
    if ((row as LooseComponent).type === 1 && children.length > LIMITS.rowItems) {
      problems.push(tooLong(`components.${i}.components`, LIMITS.rowItems));
    }
    children.forEach((c, j) => {
      const at = `components.${i}.components.${j}`;
      if (typeof c.custom_id === 'string') {
        if (c.custom_id.length > LIMITS.customId) problems.push(tooLong(`${at}.custom_id`, LIMITS.customId));
        if (seen.has(c.custom_id)) {
          problems.push({
            path: `${at}.custom_id`,
            code: 'COMPONENT_CUSTOM_ID_DUPLICATED',
            message: 'Component custom id cannot be duplicated',
          });
        }
        seen.add(c.custom_id);
      }
      if (typeof c.label === 'string' && c.label.length > LIMITS.label) {
        problems.push(tooLong(`${at}.label`, LIMITS.label));
      }
    });
  });
}
