import type { Core } from '../../core/create-core.js';
import { Deployment } from '../../core/deployments/deployment.entity.js';
import { ACTIVE_STATES, type DeploymentState } from '../../core/deployments/lifecycle.js';
import type { Machine } from '../../core/machines/machine.entity.js';
import { MachineRepository } from '../../core/machines/machine-repository.js';

export interface MachinesModel {
  items: {
    name: string;
    mac: string;
    /** `redfish https://10.1.2.3`, `manual`, or null without a BMC; never a secret. */
    bmc: string | null;
    bootMode: string;
    profile: string;
    tags: string;
    active: { id: number; status: DeploymentState } | null;
  }[];
  total: number;
  truncated: boolean;
}

/** How a machine's BMC reads in a table: driver and address, nothing secret. */
export function bmcLabel(m: Pick<Machine, 'bmc'>): string | null {
  if (!m.bmc) return null;
  return m.bmc.address ? `${m.bmc.driver} ${m.bmc.address}` : m.bmc.driver;
}

/** The inventory, read-only, with each machine's active deployment. */
export async function loadMachines(core: Core, tag?: string): Promise<MachinesModel> {
  const em = core.orm.em.fork();
  const { items, total } = await new MachineRepository(em).list({ tag, limit: 500 });
  const active = items.length
    ? await em.find(Deployment, {
        mac: { $in: items.map((m) => m.mac) },
        status: { $in: [...ACTIVE_STATES] },
      })
    : [];
  const byMac = new Map(active.map((d) => [d.mac, { id: d.id, status: d.status }]));
  return {
    items: items.map((m) => ({
      name: m.name,
      mac: m.mac,
      bmc: bmcLabel(m),
      bootMode: m.bootMode,
      profile: m.profile,
      tags: m.tags.join(', '),
      active: byMac.get(m.mac) ?? null,
    })),
    total,
    truncated: total > items.length,
  };
}
