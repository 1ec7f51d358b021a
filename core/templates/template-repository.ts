import type { EntityManager } from '@mikro-orm/postgresql';
import { ConflictError, NotFoundError } from '../errors.js';
import type { TemplateSet } from '../render/template-set.js';
import { TemplateHead, TemplateVersion } from './template.entity.js';
import { type TemplateKind, templateKind } from './template-names.js';
import { imageScope, TEMPLATE_CHANGES_CHANNEL } from './template-store.js';

/** A template as the API lists it. */
export interface TemplateSummary {
  name: string;
  kind: TemplateKind;
  /** 0: the built-in file; 1…: the operator's version in use. */
  version: number;
  source: 'builtin' | 'operator';
  /** When the version in use was saved; null for a built-in. */
  updatedAt: Date | null;
}

export interface TemplateDocument extends TemplateSummary {
  content: string;
}

/**
 * Operators' template versions in Postgres. Built-ins are not stored: a template without an active
 * version renders its shipped file, which a release may change. Each write is announced on
 * {@link TEMPLATE_CHANGES_CHANNEL}. Callers validate content before {@link save}.
 */
export class TemplateRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly builtins: TemplateSet,
    private readonly onWrite: () => Promise<void> | void = () => {},
  ) {}

  private async written(name: string): Promise<void> {
    await this.em
      .getConnection()
      .execute('select pg_notify(?, ?)', [TEMPLATE_CHANGES_CHANNEL, `template:${name}`]);
    await this.onWrite();
  }

  /** Every built-in template, then every image's own copy that is in use. */
  async list(): Promise<TemplateSummary[]> {
    const heads = await this.em.find(TemplateHead, {});
    const active = new Map(heads.filter((h) => h.activeVersion !== null).map((h) => [h.name, h]));
    const names = new Set(this.builtins.names());
    for (const name of active.keys()) names.add(name);
    return [...names].sort().map((name) => summary(name, active.get(name) ?? null));
  }

  /** The template as it renders now (name from {@link knownTemplateName}). */
  async get(name: string): Promise<TemplateDocument> {
    const head = await this.em.findOne(TemplateHead, { name });
    if (head?.activeVersion) {
      const version = await this.em.findOneOrFail(TemplateVersion, { name, version: head.activeVersion });
      return { ...summary(name, head), content: version.content };
    }
    return { ...summary(name, null), content: this.fallback(name) };
  }

  /** What a name renders without an operator's version: the built-in file (an image's copy: the shared one). */
  private fallback(name: string): string {
    return this.builtins.get(imageScope(name)?.name ?? name)?.content ?? '';
  }

  async versions(name: string): Promise<{ active: number; items: TemplateVersion[] }> {
    const [head, items] = await Promise.all([
      this.em.findOne(TemplateHead, { name }),
      this.em.find(TemplateVersion, { name }, { orderBy: { version: 'desc' } }),
    ]);
    return { active: head?.activeVersion ?? 0, items };
  }

  async version(name: string, version: number): Promise<TemplateVersion> {
    const found = await this.em.findOne(TemplateVersion, { name, version });
    if (!found)
      throw new NotFoundError(`template ${name} has no version ${version}`, 'template:unknown-version');
    return found;
  }

  /**
   * Stores `content` as the next version and puts it in use. `expectedVersion`, when given, must be the
   * version in use (0: the built-in), or someone saved in between: 409 and nothing stored.
   */
  async save(
    name: string,
    content: string,
    by: string,
    opts: { expectedVersion?: number; restoredFrom?: number } = {},
  ): Promise<TemplateDocument> {
    const saved = await this.em.transactional(async (tem) => {
      const conn = tem.getConnection();
      await conn.execute(
        `insert into "template" ("name", "active_version", "updated_at") values (?, null, now()) on conflict do nothing`,
        [name],
      );
      const [head] = await conn.execute<{ active_version: number | null }[]>(
        `select "active_version" from "template" where "name" = ? for update`,
        [name],
      );
      const active = head?.active_version ?? 0;
      if (opts.expectedVersion !== undefined && opts.expectedVersion !== active) {
        throw new ConflictError(
          'template:conflict',
          `${name} is at version ${active} now, not ${opts.expectedVersion}: read it again and reapply your change`,
        );
      }
      const [row] = await conn.execute<{ next: number }[]>(
        `select coalesce(max("version"), 0) + 1 as "next" from "template_version" where "name" = ?`,
        [name],
      );
      const next = Number(row!.next);
      const now = new Date();
      await conn.execute(
        `insert into "template_version" ("name", "version", "content", "created_by", "restored_from", "created_at") values (?, ?, ?, ?, ?, ?)`,
        [name, next, content, by.slice(0, 128), opts.restoredFrom ?? null, now],
      );
      await conn.execute(`update "template" set "active_version" = ?, "updated_at" = ? where "name" = ?`, [
        next,
        now,
        name,
      ]);
      return { next, now };
    });
    await this.written(name);
    return {
      name,
      kind: templateKind(name),
      version: saved.next,
      source: 'operator',
      updatedAt: saved.now,
      content,
    };
  }

  /** Back to the built-in (an image's copy: back to the shared template); the versions stay listed. */
  async reset(name: string): Promise<TemplateDocument> {
    await this.em
      .getConnection()
      .execute(`update "template" set "active_version" = null, "updated_at" = now() where "name" = ?`, [
        name,
      ]);
    await this.written(name);
    return this.get(name);
  }
}

function summary(name: string, head: TemplateHead | null): TemplateSummary {
  return {
    name,
    kind: templateKind(name),
    version: head?.activeVersion ?? 0,
    source: head?.activeVersion ? 'operator' : 'builtin',
    updatedAt: head?.activeVersion ? head.updatedAt : null,
  };
}
