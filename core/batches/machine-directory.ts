import { ValidationError } from '../errors.js';

/** A machine of the inventory, as far as a batch needs it. */
export interface DirectoryMachine {
  name: string;
  mac: string;
}

/**
 * Where `{machine}` items, `host:web[01-20]` and `tag:rack12` find their MACs: the machine inventory.
 * Kept this small so the inventory's repository can be adapted to it in a few lines.
 */
export interface MachineDirectory {
  /** The named machines that exist; names not in the map are unknown. */
  findByNames(names: string[]): Promise<Map<string, DirectoryMachine>>;
  /** Every machine carrying `tag`, by name. */
  findByTag(tag: string): Promise<DirectoryMachine[]>;
}

/** The error every inventory-based target answers while no inventory is configured. */
export function inventoryUnavailable(what: string): ValidationError {
  return new ValidationError(
    `${what}: machine inventory not available; name machines by MAC (mac:…)`,
    undefined,
    'inventory:unavailable',
  );
}
