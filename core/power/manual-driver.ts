import { ConflictError } from '../errors.js';
import type { PowerDriver, PowerState, PxeResult } from './power-driver.js';

/** A machine without a BMC: today's behaviour, the thread asks a person to power it on. */
export class ManualDriver implements PowerDriver {
  readonly label = 'manual';
  readonly warnings: string[] = [];

  constructor(private readonly name: string) {}

  async status(): Promise<PowerState> {
    return 'unknown';
  }

  on(): Promise<void> {
    return this.refuse();
  }

  off(): Promise<void> {
    return this.refuse();
  }

  cycle(): Promise<void> {
    return this.refuse();
  }

  pxeOnce(): Promise<PxeResult> {
    return this.refuse();
  }

  async close(): Promise<void> {}

  private async refuse(): Promise<never> {
    throw new ConflictError('power:manual', `${this.name} has no BMC (driver manual): power it by hand`);
  }
}
