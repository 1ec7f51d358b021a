import type { BmcSecrets, Machine } from '../machines/machine.entity.js';
import { IpmiDriver } from './ipmi-driver.js';
import { ManualDriver } from './manual-driver.js';
import { BmcError, type PowerDriver } from './power-driver.js';
import { RedfishDriver } from './redfish-driver.js';
import { WebhookDriver } from './webhook-driver.js';

export interface DriverOptions {
  /** Per BMC request. @defaultValue 30 000 */
  timeoutMs?: number;
  /** The ipmitool binary. @defaultValue ipmitool */
  ipmitool?: string;
}

/**
 * The driver of a machine's BMC. Every error it throws has the machine's secrets masked, in case a BMC
 * echoes them: whatever reaches a thread, the API or a log has passed through here.
 */
export function createDriver(machine: Machine, secrets: BmcSecrets, opts: DriverOptions = {}): PowerDriver {
  const bmc = machine.bmc ?? { driver: 'manual', address: null, username: null };
  const need = (value: string | null | undefined, what: string): string => {
    if (!value)
      throw new BmcError('auth', `${machine.name} has no BMC ${what} stored; PUT the machine with one`);
    return value;
  };
  let driver: PowerDriver;
  switch (bmc.driver) {
    case 'redfish':
      driver = new RedfishDriver({
        address: need(bmc.address, 'address'),
        username: need(bmc.username, 'user name'),
        password: need(secrets.password, 'password'),
        systemId: bmc.systemId,
        verifyTls: bmc.verifyTls,
        auth: bmc.auth,
        timeoutMs: opts.timeoutMs,
      });
      break;
    case 'ipmi':
      driver = new IpmiDriver({
        address: need(bmc.address, 'address'),
        username: need(bmc.username, 'user name'),
        password: need(secrets.password, 'password'),
        cipherSuite: bmc.cipherSuite,
        timeoutMs: opts.timeoutMs,
        ipmitool: opts.ipmitool,
      });
      break;
    case 'webhook':
      driver = new WebhookDriver({
        url: need(bmc.address, 'URL'),
        secret: need(secrets.secret, 'webhook secret'),
        machine: { name: machine.name, mac: machine.mac },
        verifyTls: bmc.verifyTls,
        timeoutMs: opts.timeoutMs,
      });
      break;
    default:
      driver = new ManualDriver(machine.name);
  }
  return masked(
    driver,
    Object.values(secrets).filter((v): v is string => Boolean(v)),
  );
}

/** Runs `fn` with the machine's driver and always closes it (Redfish sessions are logged out). */
export async function withDriver<T>(
  machine: Machine,
  secrets: BmcSecrets,
  opts: DriverOptions,
  fn: (driver: PowerDriver) => Promise<T>,
): Promise<T> {
  const driver = createDriver(machine, secrets, opts);
  try {
    return await fn(driver);
  } finally {
    await driver.close().catch(() => undefined);
  }
}

function masked(driver: PowerDriver, secrets: string[]): PowerDriver {
  const scrub = (error: unknown): never => {
    if (error instanceof BmcError && secrets.some((s) => error.message.includes(s))) {
      let text = error.message;
      for (const s of secrets) text = text.split(s).join('***');
      throw new BmcError(error.kind, text, error.transient);
    }
    throw error;
  };
  return {
    label: driver.label,
    warnings: driver.warnings,
    status: () => driver.status().catch(scrub),
    on: () => driver.on().catch(scrub),
    off: () => driver.off().catch(scrub),
    cycle: () => driver.cycle().catch(scrub),
    pxeOnce: (mode) => driver.pxeOnce(mode).catch(scrub),
    close: () => driver.close(),
  };
}
