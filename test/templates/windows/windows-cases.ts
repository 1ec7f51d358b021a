import type { ResolvedProfile } from '../../../core/images/profiles.js';
import type { MachineCase, WindowsFile } from './windows-render.js';

/** A machine case with a readable name. */
export type NamedCase = MachineCase & { name: string };

const WS2025_EDITIONS = ['standard', 'standard-core', 'datacenter', 'datacenter-core'];
/** Every profile on the firmware it runs on: Hyper-V Gen2 is UEFI only. */
const MACHINES: [ResolvedProfile, 'efi' | 'pcbios'][] = [
  ['kvm', 'efi'],
  ['kvm', 'pcbios'],
  ['baremetal', 'efi'],
  ['baremetal', 'pcbios'],
  ['hyperv-gen2', 'efi'],
];

const name = (c: MachineCase) =>
  [
    c.os,
    c.edition,
    c.profile,
    c.platform,
    c.settings,
    c.product === null ? 'no-product' : undefined,
    c.disk?.replace(/[^a-z0-9]+/gi, '-'),
  ]
    .filter(Boolean)
    .join('-');

/**
 * The golden matrix: every ws2025 edition × profile × firmware, and a representative subset of the other
 * images, each with its own configuration variant (domain join, agent kinds, no SMBIOS product).
 */
export const CASES: NamedCase[] = (
  [
    ...WS2025_EDITIONS.flatMap((edition) =>
      MACHINES.map(([profile, platform]): MachineCase => ({ os: 'ws2025', edition, profile, platform })),
    ),
    { os: 'ws2025', edition: 'datacenter', profile: 'hyperv-gen2', platform: 'efi', settings: 'joined' },
    { os: 'ws2022', edition: 'datacenter-core', profile: 'kvm', platform: 'pcbios' },
    { os: 'ws2022', edition: 'standard', profile: 'hyperv-gen2', platform: 'efi', settings: 'joined' },
    { os: 'ws2019', edition: 'standard', profile: 'baremetal', platform: 'pcbios', product: null },
    { os: 'ws2019', edition: 'datacenter', profile: 'kvm', platform: 'efi', settings: 'agent-exe' },
    { os: 'win11', edition: 'pro', profile: 'hyperv-gen2', platform: 'efi' },
    { os: 'win11', edition: 'enterprise', profile: 'kvm', platform: 'efi', settings: 'upn-ps1' },
    // Disk rules (the default, smallest:20, is in every case above).
    {
      os: 'ws2025',
      edition: 'standard',
      profile: 'baremetal',
      platform: 'efi',
      disk: 'serial:S3Z9NB0K123456',
    },
    { os: 'ws2022', edition: 'standard', profile: 'baremetal', platform: 'efi', disk: 'model:PERC_H730' },
    { os: 'ws2019', edition: 'standard', profile: 'baremetal', platform: 'efi', disk: 'size:200-1000' },
  ] satisfies MachineCase[]
).map((c: MachineCase) => ({ ...c, name: name(c) }));

/**
 * Which inputs each file depends on. Cases that share a key share one golden file, and the golden test
 * fails when they render differently: a template that starts to depend on something else needs it here.
 */
export const GOLDEN_KEY: Record<WindowsFile, (c: MachineCase) => string> = {
  'install-wimboot.ipxe': (c) => `${c.os}-${c.profile}`,
  'startnet.cmd': (c) =>
    [
      c.os,
      c.edition,
      c.profile,
      c.platform,
      c.product === null ? 'no-product' : '',
      c.disk?.replace(/[^a-z0-9]+/gi, '-') ?? '',
    ]
      .filter(Boolean)
      .join('-'),
  'winpeshl.ini': () => 'winpeshl',
  'autounattend.xml': (c) => `${c.os}-${c.edition}-${c.settings ?? 'default'}`,
  'SetupComplete.cmd': (c) => c.settings ?? 'default',
};

/** `golden/<file without extension>/<key>.<extension>` */
export function goldenPath(file: WindowsFile, c: MachineCase): string {
  const dot = file.lastIndexOf('.');
  return `${file.slice(0, dot)}/${GOLDEN_KEY[file](c)}${file.slice(dot)}`;
}
