import type { LoadRequest } from '../support/http-load.js';

/** What a line reports, for the lag figures: a state change, the final state, or an installer stage. */
export type LineClass = 'state' | 'final' | 'progress';

/** One thread line the benchmark waits for, and how to recognise it among the thread's messages. */
export interface ExpectedLine {
  /** `boot` for the per-MAC script, else the stage number 1–12. */
  step: 'boot' | number;
  class: LineClass;
  /** Offset from the start of the stage phase at which the machine sends it, ms. */
  atMs: number;
  matches(text: string): boolean;
  request(token: string): LoadRequest;
}

export interface DeploymentPlan {
  index: number;
  mac: string;
  os: 'ws2025' | 'ubuntu2404';
  hostname: string;
  /** The per-MAC script first (booting), then the 12 stages, in order. */
  lines: ExpectedLine[];
}

type Report = { form: Record<string, string> } | { json: Record<string, unknown> };

const marker = (step: number) => `stage${String(step).padStart(2, '0')}of12`;
const has = (needle: string) => (text: string) => text.includes(needle);

const form = (status: string, message: string, progress?: number): Report => ({
  form: { status, message, ...(progress === undefined ? {} : { progress: String(progress) }) },
});
const subiquity = (eventType: 'start' | 'finish', name: string, description: string): Report => ({
  json: {
    event_type: eventType,
    name,
    description,
    origin: 'curtin',
    ...(eventType === 'finish' ? { result: 'SUCCESS' } : {}),
  },
});

/**
 * The 12 stages of each OS, as its templates report them, each message tagged `stageNNof12` so its
 * thread line can be found. `done` and subiquity's end of install carry no message of ours; their lines
 * are recognised by what the notifier writes.
 */
function stages(
  os: DeploymentPlan['os'],
  hostname: string,
): { report: Report; class: LineClass; matcher?: string }[] {
  const m = (step: number, text: string) => `${text} (${marker(step)})`;
  if (os === 'ws2025') {
    return [
      { report: form('winpe_started', m(1, 'WinPE started: UEFI, profile kvm'), 5), class: 'state' },
      { report: form('disk_prepared', m(2, 'Disk 0 partitioned: GPT'), 10), class: 'progress' },
      { report: form('image_downloading', m(3, 'Downloading install.wim'), 15), class: 'progress' },
      {
        report: form('progress', m(4, 'Applying Windows Server 2025 SERVERSTANDARD'), 45),
        class: 'progress',
      },
      {
        report: form('image_applied', m(5, 'Applied Windows Server 2025 SERVERSTANDARD'), 70),
        class: 'progress',
      },
      { report: form('drivers_added', m(6, 'VirtIO drivers added'), 80), class: 'progress' },
      { report: form('rebooting', m(7, 'Rebooting into Windows'), 90), class: 'progress' },
      {
        report: form('configuring', m(8, `First boot: ${hostname} runs SetupComplete.cmd`), 94),
        class: 'state',
      },
      { report: form('domain_joined', m(9, 'Joined lab.example'), 96), class: 'progress' },
      { report: form('progress', m(10, 'Installing the agent'), 97), class: 'progress' },
      { report: form('agent_installed', m(11, 'Agent installed'), 98), class: 'progress' },
      { report: form('done', `${hostname} is ready`, 100), class: 'final', matcher: '✅ Done in' },
    ];
  }
  const step = (n: number, name: string, what: string) =>
    subiquity('finish', `subiquity/Install/install/${name}`, m(n, what));
  return [
    { report: form('early_command', m(1, 'Ubuntu installer started'), 5), class: 'state' },
    { report: subiquity('start', 'subiquity/Install/install', m(2, 'installing system')), class: 'progress' },
    { report: step(3, 'configure_apt', 'configuring apt'), class: 'progress' },
    { report: step(4, 'partitioning', 'partitioning disks'), class: 'progress' },
    { report: step(5, 'extract', 'writing install sources to disk'), class: 'progress' },
    { report: step(6, 'curthooks', 'configuring installed system'), class: 'progress' },
    { report: step(7, 'postinstall', 'final system configuration'), class: 'progress' },
    {
      report: subiquity('finish', 'subiquity/Install/install', 'installing system'),
      class: 'progress',
      matcher: '— installation finished',
    },
    { report: form('late_command', m(9, 'Ubuntu installed, rebooting into it'), 90), class: 'progress' },
    { report: form('first_boot', m(10, 'Ubuntu first boot, cloud-init configuring'), 95), class: 'state' },
    { report: form('progress', m(11, 'cloud-init: running final modules'), 98), class: 'progress' },
    { report: form('done', 'Ubuntu is up', 100), class: 'final', matcher: '✅ Done in' },
  ];
}

/** A small deterministic generator, so two runs send the same schedule. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * `count` deployments, half Windows and half Ubuntu. Machine n powers on at a random moment of the
 * first twelfth of `durationMs` and reports its 12 stages about every twelfth after that (±20 %), so
 * each install spans `durationMs` and the callbacks arrive at an even rate across the channel.
 */
export function planFanout(
  count: number,
  durationMs: number,
  seed = 42,
  /** One OS for every machine (a batch has one), instead of half and half. */
  onlyOs?: DeploymentPlan['os'],
): DeploymentPlan[] {
  const random = seeded(seed);
  const step = durationMs / 12;
  const interval = (durationMs - step) / 12;
  return Array.from({ length: count }, (_, index) => {
    const os = onlyOs ?? (index % 2 === 0 ? 'ws2025' : 'ubuntu2404');
    const hostname = `${os === 'ws2025' ? 'WIN' : 'srv'}-fan-${String(index).padStart(3, '0')}`;
    const mac = `52:54:00:fa:${((index >> 8) & 0xff).toString(16).padStart(2, '0')}:${(index & 0xff).toString(16).padStart(2, '0')}`;
    const bootAt = random() * step;
    const boot: ExpectedLine = {
      step: 'boot',
      class: 'state',
      atMs: bootAt,
      matches: has('🟢 Booting'),
      request: () => ({
        method: 'GET',
        path: `/ipxe/${mac.replaceAll(':', '-')}?platform=efi&arch=x86_64&manufacturer=QEMU&product=Standard%20PC`,
      }),
    };
    const reported = stages(os, hostname).map(
      (s, i): ExpectedLine => ({
        step: i + 1,
        class: s.class,
        atMs: bootAt + (i + 1) * interval + (random() - 0.5) * 0.4 * interval,
        matches: has(s.matcher ?? marker(i + 1)),
        request: (token) => callbackRequest(token, s.report),
      }),
    );
    return { index, mac, os, hostname, lines: [boot, ...reported] };
  });
}

function callbackRequest(token: string, report: Report): LoadRequest {
  return 'form' in report
    ? {
        method: 'POST',
        path: `/cb/${token}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(report.form).toString(),
      }
    : {
        method: 'POST',
        path: `/cb/${token}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(report.json),
      };
}
