import type { LoadRequest } from '../support/http-load.js';

/** Routes as the results name them (the boot server's route table). */
export const ROUTES = ['/boot.ipxe', '/ipxe/:mac', '/d/:token/:artifact', '/healthz', '/cb/:token'] as const;
export type Route = (typeof ROUTES)[number];

/** One simulated machine of the rack. */
export interface Machine {
  index: number;
  /** Colon notation, as the deployment was requested. */
  mac: string;
  os: 'ws2025' | 'ubuntu2404';
  hostname: string;
  platform: 'efi' | 'pcbios';
  manufacturer: string;
  product: string;
  /** Deployment token, read from the install script the machine received. */
  token?: string;
}

/** A request of one machine, what a good answer looks like, and what it teaches the machine. */
export interface MachineStep {
  route: Route;
  request: LoadRequest;
  /** Null when the answer is what a real client would accept, else why not. */
  check(status: number, body: string): string | null;
  /** Learns from the answer (the token in the install script). */
  learn?(body: string): void;
}

/** A wave: every machine makes its requests of one kind, one after the other, all machines at once. */
export interface Wave {
  name: string;
  route: Route;
  steps(m: Machine): MachineStep[];
}

// SMBIOS of the hardware a lab mixes: KVM guests, Hyper-V Gen2 guests and bare metal.
const HARDWARE = [
  { manufacturer: 'QEMU', product: 'Standard PC (Q35 + ICH9, 2009)' },
  { manufacturer: 'Microsoft Corporation', product: 'Virtual Machine' },
  { manufacturer: 'Dell Inc.', product: 'PowerEdge R650' },
] as const;

/** `count` machines, half Windows Server 2025 and half Ubuntu 24.04, UEFI and BIOS mixed. */
export function createMachines(count: number): Machine[] {
  return Array.from({ length: count }, (_, index) => {
    const os = index % 2 === 0 ? 'ws2025' : 'ubuntu2404';
    return {
      index,
      mac: `52:54:00:${hex(index >> 16)}:${hex(index >> 8)}:${hex(index)}`,
      os,
      hostname: `${os === 'ws2025' ? 'WIN' : 'srv'}-${String(index).padStart(4, '0')}`,
      platform: index % 3 === 0 ? 'pcbios' : 'efi',
      ...HARDWARE[index % HARDWARE.length]!,
    };
  });
}

const hex = (n: number) => (n & 0xff).toString(16).padStart(2, '0');
const TOKEN_IN_SCRIPT = /\/d\/(\d{1,10}\.[A-Za-z0-9_-]{43})\//;
type Check = (status: number, body: string) => string | null;
const ok: Check = (status) => (status === 200 ? null : `HTTP ${status}`);

const get = (route: Route, path: string, check: Check = ok): MachineStep => ({
  route,
  request: { method: 'GET', path },
  check,
});

const artifact = (m: Machine, name: string): MachineStep =>
  get('/d/:token/:artifact', `/d/${m.token}/${name}`, (status, body) =>
    status !== 200 ? `HTTP ${status}` : body.length ? null : 'empty artifact',
  );

/** What the installer posts: a form like curl's `-d`/`--data-urlencode`, or a subiquity JSON event. */
type Report = { form: Record<string, string> } | { json: Record<string, unknown> };

const callback = (m: Machine, report: Report): MachineStep => {
  const request: LoadRequest =
    'form' in report
      ? {
          method: 'POST',
          path: `/cb/${m.token}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(report.form).toString(),
        }
      : {
          method: 'POST',
          path: `/cb/${m.token}`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(report.json),
        };
  return {
    route: '/cb/:token',
    request,
    check: (status, body) =>
      status !== 200 ? `HTTP ${status}` : body.includes('"recorded":true') ? null : 'not recorded',
  };
};

const stage = (status: string, message: string, progress?: number): Report => ({
  form: progress === undefined ? { status, message } : { status, message, progress: String(progress) },
});
const subiquity = (eventType: 'start' | 'finish', name: string, description: string): Report => ({
  json: {
    event_type: eventType,
    name,
    description,
    origin: 'curtin',
    ...(eventType === 'finish' ? { result: 'SUCCESS' } : {}),
    timestamp: 1_700_000_000.1,
  },
});

/** The 12 stages each OS reports, as its templates send them (startnet.cmd, SetupComplete.cmd, user-data). */
export function stagesOf(m: Machine): Report[] {
  if (m.os === 'ws2025') {
    const firmware = m.platform === 'efi' ? 'UEFI' : 'BIOS';
    return [
      stage('winpe_started', `WinPE started: ${firmware}, profile kvm`, 5),
      stage('disk_prepared', 'Disk 0 partitioned: GPT with EFI, MSR and Windows partitions', 10),
      stage('image_downloading', 'Downloading http://127.0.0.1/files/windows/ws2025/install.wim', 15),
      stage('progress', 'Applying Windows Server 2025 SERVERSTANDARD', 45),
      stage('image_applied', 'Applied Windows Server 2025 SERVERSTANDARD', 70),
      stage('drivers_added', 'VirtIO drivers added to Windows: viostor.inf netkvm.inf', 80),
      stage('rebooting', 'Rebooting into Windows', 90),
      stage('configuring', `First boot: ${m.hostname} is running SetupComplete.cmd`, 94),
      stage('domain_joined', 'Joined lab.example', 96),
      stage('progress', 'Installing the agent from http://127.0.0.1/agent.msi', 97),
      stage('agent_installed', 'Agent installed', 98),
      stage('done', `${m.hostname} is ready`, 100),
    ];
  }
  const step = (name: string, what: string) => subiquity('finish', `subiquity/Install/install/${name}`, what);
  return [
    stage('early_command', 'Ubuntu installer started', 5),
    subiquity('start', 'subiquity/Install/install', 'installing system'),
    step('configure_apt', 'configuring apt'),
    step('partitioning', 'partitioning disks'),
    step('extract', 'writing install sources to disk'),
    step('curthooks', 'configuring installed system'),
    step('postinstall', 'final system configuration'),
    subiquity('finish', 'subiquity/Install/install', 'installing system'),
    stage('late_command', 'Ubuntu installed, rebooting into it', 90),
    stage('first_boot', 'Ubuntu first boot, cloud-init configuring', 95),
    stage('progress', 'cloud-init: running final modules', 98),
    stage('done', 'Ubuntu is up', 100),
  ];
}

/**
 * The boot of a rack powered on at once, in waves that follow a machine's life: every machine fetches
 * the entry script, then its per-MAC script (and learns its token), then its installer's files, reports
 * the install, fetches the answer files the installed system needs, and reports first boot to `done`.
 */
export const WAVES: Wave[] = [
  { name: 'power on', route: '/boot.ipxe', steps: () => [get('/boot.ipxe', '/boot.ipxe')] },
  {
    name: 'per-MAC script',
    route: '/ipxe/:mac',
    steps: (m) => [
      {
        ...get('/ipxe/:mac', machineScriptPath(m)),
        check: (status, body) =>
          status !== 200
            ? `HTTP ${status}`
            : !body.startsWith('#!ipxe')
              ? 'not an iPXE script'
              : TOKEN_IN_SCRIPT.test(body)
                ? null
                : 'no install script (no token)',
        learn: (body) => {
          m.token = TOKEN_IN_SCRIPT.exec(body)?.[1];
        },
      },
    ],
  },
  {
    name: 'installer files',
    route: '/d/:token/:artifact',
    steps: (m) =>
      m.os === 'ws2025'
        ? [artifact(m, 'startnet.cmd'), artifact(m, 'winpeshl.ini')]
        : [artifact(m, 'meta-data'), artifact(m, 'user-data'), artifact(m, 'vendor-data')],
  },
  // startnet.cmd checks the boot server is reachable before it reports anything.
  {
    name: 'WinPE health check',
    route: '/healthz',
    steps: (m) => (m.os === 'ws2025' ? [get('/healthz', '/healthz')] : []),
  },
  {
    name: 'install stages',
    route: '/cb/:token',
    steps: (m) =>
      stagesOf(m)
        .slice(0, 6)
        .map((r) => callback(m, r)),
  },
  {
    name: 'answer files',
    route: '/d/:token/:artifact',
    steps: (m) =>
      m.os === 'ws2025' ? [artifact(m, 'autounattend.xml'), artifact(m, 'SetupComplete.cmd')] : [],
  },
  {
    name: 'first boot stages',
    route: '/cb/:token',
    steps: (m) =>
      stagesOf(m)
        .slice(6)
        .map((r) => callback(m, r)),
  },
];

/** `/ipxe/52-54-00-…?platform=…`, as boot.ipxe makes iPXE ask (`${net0/mac:hexhyp}`, uristring values). */
export function machineScriptPath(m: Machine): string {
  const query = new URLSearchParams({
    platform: m.platform,
    arch: 'x86_64',
    uuid: `00000000-0000-4000-8000-${m.index.toString(16).padStart(12, '0')}`,
    serial: `SN${String(m.index).padStart(8, '0')}`,
    manufacturer: m.manufacturer,
    product: m.product,
  });
  return `/ipxe/${m.mac.replaceAll(':', '-')}?${query.toString().replaceAll('+', '%20')}`;
}
