import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { formatDuration } from '../../chat/messages/durations.js';
import { STATE_LABELS, stageLabel } from '../../chat/messages/labels.js';
import type { DeploymentState } from '../../core/deployments/lifecycle.js';

const VIEWS = fileURLToPath(new URL('./views/', import.meta.url));

/** Renders the dashboard's pages: `views/<name>.hbs` inside `views/layout.hbs`. */
export interface DashboardViews {
  /** A whole page. `layout` holds what the frame needs (title, session, navigation). */
  page(name: string, model: object, layout: LayoutModel): string;
  /** One partial alone (`views/partials/<name>.hbs`): what live updates swap into an open page. */
  fragment(name: string, model: object): string;
}

export interface LayoutModel {
  title: string;
  /** Navigation entry to mark as current (its path). */
  current: string;
  /** Null on the sign-in page. */
  session: { actorName: string; csrfToken: string } | null;
  nav: { path: string; title: string }[];
  /** Event id the page's live stream resumes after. */
  lastEventId: string;
}

/**
 * Handlebars in strict mode (a missing field fails loudly) with its HTML escaping on every `{{value}}`:
 * hostnames, image names, installer messages and chat user names are always text. Nothing here is
 * rendered with `{{{…}}}` except the page body and partials, which are this engine's own output.
 */
export function createDashboardViews(dir: string = VIEWS): DashboardViews {
  const hbs = Handlebars.create();
  const esc = (v: unknown) => hbs.escapeExpression(String(v ?? ''));
  hbs.registerHelper({
    eq: (a: unknown, b: unknown) => a === b,
    /** `<time>` in UTC; the page's script shows it in the viewer's zone and keeps UTC on hover. */
    time: (at: unknown) => {
      if (!(at instanceof Date)) return '—';
      const iso = at.toISOString();
      return new hbs.SafeString(
        `<time datetime="${iso}" title="${iso.slice(0, 19).replace('T', ' ')} UTC">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`,
      );
    },
    /** Age since a moment, kept current by the page's script. */
    age: (at: unknown, now: unknown) => {
      if (!(at instanceof Date)) return '—';
      const ms = (now instanceof Date ? now.getTime() : Date.now()) - at.getTime();
      return new hbs.SafeString(
        `<time class="age" datetime="${at.toISOString()}" title="${at.toISOString().slice(0, 19).replace('T', ' ')} UTC">${esc(formatDuration(ms))}</time>`,
      );
    },
    duration: (ms: unknown) => (typeof ms === 'number' ? formatDuration(ms) : '—'),
    /** A state as text with its symbol: never colour alone. */
    state: (s: unknown) => {
      const symbol = STATE_SYMBOLS[s as DeploymentState] ?? '•';
      return new hbs.SafeString(
        `<span class="state state-${esc(s)}"><span aria-hidden="true">${symbol}</span> ${esc(shortLabel(s as DeploymentState))}</span>`,
      );
    },
    stage: (s: unknown) => (typeof s === 'string' && s ? stageLabel(s).label : '—'),
    stateLabel: (s: unknown) => shortLabel(s as DeploymentState),
  });
  for (const file of readdirSync(join(dir, 'partials'))) {
    if (file.endsWith('.hbs')) hbs.registerPartial(basename(file, '.hbs'), read(join(dir, 'partials', file)));
  }
  const cache = new Map<string, HandlebarsTemplateDelegate>();
  const compile = (name: string, source: () => string) => {
    let template = cache.get(name);
    if (!template) {
      template = hbs.compile(source(), { strict: true });
      cache.set(name, template);
    }
    return template;
  };
  const view = (name: string) => {
    if (!/^[a-z-]+$/.test(name)) throw new Error(`invalid view name ${name}`);
    return compile(name, () => read(join(dir, `${name}.hbs`)));
  };
  return {
    page(name, model, layout) {
      const body = view(name)(model);
      return view('layout')({ ...layout, body: new hbs.SafeString(body) });
    },
    fragment(name, model) {
      if (!/^[a-z-]+$/.test(name)) throw new Error(`invalid fragment name ${name}`);
      return compile(`partial:${name}`, () => `{{> ${name}}}`)(model);
    },
  };
}

/**
 * A symbol per state from fonts every Linux NOC screen has (DejaVu), unlike the chat's emoji; the word
 * next to it carries the meaning.
 */
const STATE_SYMBOLS: Record<DeploymentState, string> = {
  pending_approval: '◷',
  approved: '✓',
  booting: '▶',
  installing: '⚙',
  configuring: '◑',
  done: '✔',
  failed: '✖',
  rejected: '⊘',
  expired: '⌛',
  cancelled: '⊘',
};

/** Labels short enough for a table cell. */
export function shortLabel(s: DeploymentState): string {
  if (s === 'pending_approval') return 'Pending approval';
  if (s === 'approved') return 'Approved';
  if (s === 'configuring') return 'Configuring';
  return STATE_LABELS[s]?.label ?? String(s);
}

function read(path: string): string {
  return readFileSync(path, 'utf8');
}
