import type { EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError } from '../errors.js';
import type { Mac } from '../mac.js';
import { Machine } from './machine.entity.js';

/**
 * Read-side queries of the machine inventory. `findByName`, `findByNames` and `findByTag` are what
 * batches resolve `{"machine":"web02"}`, `host:web[01-20]` and `tag:rack12` with.
 */
export class MachineRepository {
  constructor(private readonly em: EntityManager) {}

  /** A machine by its name (case-insensitive, as hostnames are), or null. */
  findByName(name: string): Promise<Machine | null> {
    return this.em.findOne(Machine, { name: name.trim().toLowerCase() }, { refresh: true });
  }

  /** Machines by name, in the order asked; names not in the inventory are simply absent. */
  async findByNames(names: readonly string[]): Promise<Machine[]> {
    const wanted = names.map((n) => n.trim().toLowerCase());
    if (!wanted.length) return [];
    const found = await this.em.find(Machine, { name: { $in: wanted } }, { refresh: true });
    const byName = new Map(found.map((m) => [m.name, m]));
    return [...new Set(wanted)].flatMap((n) => (byName.has(n) ? [byName.get(n)!] : []));
  }

  /** Every machine carrying `tag`, by name. */
  findByTag(tag: string): Promise<Machine[]> {
    return this.em.find(
      Machine,
      { tags: { $contains: [tag.trim().toLowerCase()] } },
      { orderBy: { name: 'asc' }, refresh: true },
    );
  }

  findByMac(mac: Mac): Promise<Machine | null> {
    return this.em.findOne(Machine, { mac }, { refresh: true });
  }

  async get(name: string): Promise<Machine> {
    const found = await this.findByName(name);
    if (!found) throw new NotFoundError(`no machine named "${name.slice(0, 63)}"`, 'machine:not-found');
    return found;
  }

  /** All machines (or those with `tag`), by name. */
  async list(opts: { tag?: string; limit?: number; offset?: number } = {}) {
    const where = opts.tag ? { tags: { $contains: [opts.tag.trim().toLowerCase()] } } : {};
    const [items, total] = await this.em.findAndCount(Machine, where, {
      orderBy: { name: 'asc' },
      limit: opts.limit ?? 100,
      offset: opts.offset ?? 0,
    });
    return { items, total };
  }
}
