import type { SqlPool } from '../db/sql-pool.js';
import type { TemplatePins } from '../deployments/deployment.entity.js';
import { overlaySet, PARTIALS_PREFIX, type TemplateSet, type TemplateText } from '../render/template-set.js';

/**
 * Postgres channel on which every template and profile write is announced (payload `template:<name>`
 * or `profile:<name>`); every process reloads what it holds.
 */
export const TEMPLATE_CHANGES_CHANNEL = 'octofleet_template_changed';

/** Prefix of an image's own templates: `images/ws2025/windows/autounattend.xml`. */
export const IMAGE_SCOPE = 'images/';

/**
 * The templates every render uses: the built-in files overlaid with the versions operators put in use.
 * The versions in use are held in memory (renders are synchronous and on the boot path) and reloaded
 * when a write is announced on {@link TEMPLATE_CHANGES_CHANNEL}; while that notification connection is
 * down, {@link TemplateStore.fresh} reloads on every request instead, and after `ttlMs` in any case.
 */
export interface TemplateStore {
  /** Built-ins with operators' current versions (the last loaded). */
  current(): TemplateSet;
  /** What one image renders with: its own `images/<id>/…` versions first, then {@link current}. */
  forImage(imageId: string): TemplateSet;
  /** Reloads unless notifications are arriving and the last load is recent; await before rendering. */
  fresh(): Promise<void>;
  /** Reloads the versions in use now (after a write, or when a change was announced). */
  reload(): Promise<void>;
  /**
   * The set a deployment renders with: its pinned versions (loaded here), anything not pinned from the
   * image's current set. Call {@link fresh} first.
   */
  pinned(pins: TemplatePins | null, imageId: string): Promise<TemplateSet>;
  /** Pins for `names` as `set` has them now. */
  pinsOf(set: TemplateSet, names: string[]): TemplatePins;
}

export interface TemplateStoreOptions {
  /** Whether change notifications arrive now. @defaultValue always */
  trusted?: () => boolean;
  /** @defaultValue 60 000 ms */
  ttlMs?: number;
}

export function createTemplateStore(
  sql: SqlPool,
  builtins: TemplateSet,
  opts: TemplateStoreOptions = {},
): TemplateStore {
  const trusted = opts.trusted ?? (() => true);
  const ttlMs = opts.ttlMs ?? 60_000;
  let global: TemplateSet = builtins;
  let scoped = new Map<string, Map<string, TemplateText>>();
  const imageSets = new Map<string, TemplateSet>();
  let loadedAt = 0;
  let loading: Promise<void> | null = null;
  // Stored versions never change: kept by `name@version`, bounded.
  const versions = new Map<string, TemplateText>();

  const remember = (text: TemplateText) => {
    if (versions.size >= 512) versions.delete(versions.keys().next().value!);
    versions.set(`${text.name}@${text.version}`, text);
  };

  const load = async () => {
    const startedAt = Date.now();
    const { rows } = await sql.query<{ name: string; version: number; content: string }>(
      `select v."name", v."version", v."content" from "template" t
       join "template_version" v on v."name" = t."name" and v."version" = t."active_version"`,
    );
    const globalTexts = new Map<string, TemplateText>();
    const nextScoped = new Map<string, Map<string, TemplateText>>();
    for (const row of rows) {
      const text = versions.get(`${row.name}@${row.version}`) ?? {
        name: row.name,
        content: row.content,
        version: row.version,
        source: 'operator' as const,
      };
      remember(text);
      const scope = imageScope(row.name);
      if (!scope) {
        globalTexts.set(row.name, text);
        continue;
      }
      let map = nextScoped.get(scope.imageId);
      if (!map) {
        map = new Map();
        nextScoped.set(scope.imageId, map);
      }
      map.set(scope.name, text);
    }
    global = overlaySet(builtins, globalTexts);
    scoped = nextScoped;
    imageSets.clear();
    loadedAt = startedAt;
  };

  const reload = () => {
    // One load at a time; a change announced during a load is picked up by a second one.
    const next = (loading ?? Promise.resolve()).catch(() => {}).then(load);
    const mine = next.finally(() => {
      if (loading === mine) loading = null;
    });
    loading = mine;
    return mine;
  };

  const forImage = (imageId: string): TemplateSet => {
    let set = imageSets.get(imageId);
    if (!set) {
      set = overlaySet(global, scoped.get(imageId) ?? new Map());
      imageSets.set(imageId, set);
    }
    return set;
  };

  return {
    current: () => global,
    forImage,
    reload,
    async fresh() {
      if (!trusted() || Date.now() - loadedAt > ttlMs) await reload();
    },
    async pinned(pins, imageId) {
      const base = forImage(imageId);
      if (!pins) return base;
      const missing = Object.values(pins).filter(
        (p) => p.version > 0 && !versions.has(`${p.name}@${p.version}`),
      );
      if (missing.length) {
        const { rows } = await sql.query<{ name: string; version: number; content: string }>(
          `select "name", "version", "content" from "template_version"
           where ("name", "version") in (select * from unnest($1::text[], $2::int[]))`,
          [missing.map((p) => p.name), missing.map((p) => p.version)],
        );
        for (const row of rows) remember({ ...row, source: 'operator' });
      }
      // Looked up now, not per get(): a pinned version evicted later must still render.
      const texts = new Map<string, TemplateText>();
      for (const [name, pin] of Object.entries(pins)) {
        const text = pin.version === 0 ? builtins.get(name) : versions.get(`${pin.name}@${pin.version}`);
        if (text) texts.set(name, text);
      }
      return overlaySet(base, texts);
    },
    pinsOf(set, names) {
      const pins: TemplatePins = {};
      for (const name of names) {
        const text = set.get(name);
        if (text) pins[name] = { name: text.name, version: text.version };
      }
      return pins;
    },
  };
}

/** `images/ws2025/windows/autounattend.xml` → ws2025 and `windows/autounattend.xml`; null for other names. */
export function imageScope(name: string): { imageId: string; name: string } | null {
  if (!name.startsWith(IMAGE_SCOPE)) return null;
  const rest = name.slice(IMAGE_SCOPE.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return null;
  return { imageId: rest.slice(0, slash), name: rest.slice(slash + 1) };
}

/**
 * The templates a deployment may render, which its first render pins: its install script, the artifacts
 * of its image's template folder, and every partial.
 */
export function deploymentTemplateNames(
  set: TemplateSet,
  of: { installScript: string; artifacts: string | null },
): string[] {
  return set
    .names()
    .filter(
      (name) =>
        name === of.installScript ||
        name.startsWith(PARTIALS_PREFIX) ||
        (!!of.artifacts && name.startsWith(`${of.artifacts}/`)),
    );
}
