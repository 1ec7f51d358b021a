import type { MachineService } from '../machines/machine-service.js';
import type { MachineDirectory } from './machine-directory.js';

/** The machine inventory (core/machines) as batches look machines up: by name and by tag. */
export function inventoryDirectory(machines: MachineService): MachineDirectory {
  return {
    async findByNames(names) {
      const found = await machines.repository().findByNames(names);
      return new Map(found.map((m) => [m.name, { name: m.name, mac: m.mac }]));
    },
    async findByTag(tag) {
      return (await machines.repository().findByTag(tag)).map((m) => ({ name: m.name, mac: m.mac }));
    },
  };
}
