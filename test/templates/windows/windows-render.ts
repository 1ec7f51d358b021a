import { join } from 'node:path';
import {
  buildInstallContext,
  DEFAULT_RETRY,
  type InstallContext,
} from '../../../boot-server/ipxe/scripts.js';
import { type Config, loadConfig } from '../../../core/config/index.js';
import type { Deployment } from '../../../core/deployments/deployment.entity.js';
import { loadCatalogFile } from '../../../core/images/catalog-file.js';
import type { OsImage } from '../../../core/images/os-image.entity.js';
import type { ResolvedProfile } from '../../../core/images/profiles.js';
import { buildRenderContext, type RenderContext } from '../../../core/render/render-context.js';
import { createTemplateEngine, type TemplateEngine } from '../../../core/render/template-engine.js';

export const TEMPLATES_DIR = join(import.meta.dirname, '../../../templates');

/** A token as the secret box makes them (`<id>.<43 base64url chars>`), with the `_` and `-` they can hold. */
export const TOKEN = '42.Zm9vYmFyLWJhel9xdXV4X2NvcmdlLWdyYXVsdF9nYXJwbHk';
export const PASSWORD = 'Kx7#mN2=pQ9.rT4-wZ8@';
export const JOIN_PASSWORD = 'J0in&<Secret>"quoted"';

/** Configuration variants the Windows templates react to (WINDOWS_* variables). */
export const SETTINGS = {
  default: {},
  joined: {
    WINDOWS_DOMAIN: 'corp.example.com',
    WINDOWS_DOMAIN_OU: 'OU=Servers,OU=Octofleet,DC=corp,DC=example,DC=com',
    WINDOWS_JOIN_USER: 'CORP\\svc-join',
    WINDOWS_JOIN_PASSWORD: JOIN_PASSWORD,
    WINDOWS_AGENT_URL: 'http://10.0.2.2:8080/files/agent/octofleet-agent.msi',
    WINDOWS_UI_LANGUAGE: 'en-US',
  },
  'upn-ps1': {
    WINDOWS_DOMAIN: 'corp.example.com',
    WINDOWS_JOIN_USER: 'svc-join@corp.example.com',
    WINDOWS_JOIN_PASSWORD: JOIN_PASSWORD,
    WINDOWS_AGENT_URL: 'https://agents.example.com/octofleet/install-agent.ps1',
  },
  'agent-exe': {
    WINDOWS_AGENT_URL: 'http://10.0.2.2:8080/files/agent/octofleet-agent-setup.exe',
    WINDOWS_AGENT_ARGS: '/S /norestart',
  },
} as const satisfies Record<string, Record<string, string>>;
export type SettingsName = keyof typeof SETTINGS;

export function windowsConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    SECRET_KEY: 'test-secret-key-0123456789abcdef0123456789abcdef',
    PUBLIC_BOOT_URL: 'http://10.0.2.2:8080',
    ...overrides,
  });
}

/** The catalog's images as the database would hold them. */
export async function catalogImages(): Promise<Map<string, OsImage>> {
  const images = await loadCatalogFile(join(TEMPLATES_DIR, 'catalog.yaml'));
  const at = new Date('2026-01-01T00:00:00Z');
  return new Map(
    images.map((input) => [
      input.id,
      Object.assign(Object.create(null), {
        ...input,
        source: 'catalog',
        createdAt: at,
        updatedAt: at,
      }) as OsImage,
    ]),
  );
}

/** One machine: what it asked for and what iPXE reported about it. */
export interface MachineCase {
  os: string;
  edition: string;
  profile: ResolvedProfile;
  platform: 'efi' | 'pcbios';
  settings?: SettingsName;
  /** SMBIOS product iPXE reported. @defaultValue 'PowerEdge R650' */
  product?: string | null;
  hostname?: string;
  /** The deployment's disk rule. @defaultValue none (the default rule, smallest:20) */
  disk?: string;
}

const MANUFACTURER: Record<ResolvedProfile, string> = {
  'hyperv-gen2': 'Microsoft Corporation',
  kvm: 'QEMU',
  baremetal: 'Dell Inc.',
};
const PRODUCT: Record<ResolvedProfile, string> = {
  'hyperv-gen2': 'Virtual Machine',
  kvm: 'Standard PC (Q35 + ICH9, 2009)',
  baremetal: 'PowerEdge R650',
};

/** A deployment in `booting`, as the boot server sees it when it renders. */
export function fakeDeployment(c: MachineCase): Deployment {
  const at = new Date('2026-01-01T00:00:00Z');
  const product = c.product === undefined ? PRODUCT[c.profile] : c.product;
  return {
    id: 42,
    mac: '52:54:00:12:34:56',
    os: c.os,
    edition: c.edition,
    hostname: c.hostname ?? 'SRV-WIN01',
    profile: 'auto',
    resolvedProfile: c.profile,
    disk: c.disk ?? null,
    status: 'booting',
    stage: 'booting',
    progress: null,
    failureReason: null,
    requestedBy: { platform: 'shell', id: 'alice', name: 'alice' },
    tokenNonce: 'nonce',
    secrets: null,
    boot: {
      platform: c.platform,
      arch: c.platform === 'efi' ? 'x86_64' : 'i386',
      manufacturer: MANUFACTURER[c.profile],
      ...(product === null ? {} : { product }),
    },
    createdAt: at,
    updatedAt: at,
    expiresAt: at,
    approvedAt: at,
    bootingAt: at,
    installingAt: null,
    configuringAt: null,
    finishedAt: null,
    lastEventAt: at,
  } as Deployment;
}

/** What the boot server renders for one machine: the install script's context and the artifacts' context. */
export interface MachineContexts {
  /** `GET /ipxe/:mac`: render context plus the retry policy; no secrets. */
  install: InstallContext;
  /** `GET /d/:token/:artifact`: render context with the deployment's secrets. */
  artifacts: RenderContext;
}

export function machineContexts(
  engine: TemplateEngine,
  images: Map<string, OsImage>,
  c: MachineCase,
): MachineContexts {
  const image = images.get(c.os);
  if (!image) throw new Error(`no catalog image ${c.os}`);
  const config = windowsConfig(SETTINGS[c.settings ?? 'default']);
  const deployment = fakeDeployment(c);
  return {
    install: buildInstallContext(engine, { config, deployment, image, token: TOKEN, retry: DEFAULT_RETRY }),
    artifacts: buildRenderContext({
      config,
      deployment,
      image,
      token: TOKEN,
      secrets: { password: PASSWORD },
    }),
  };
}

/** Every Windows file, by the name a machine knows it: the iPXE script and the four artifacts. */
export const WINDOWS_FILES = {
  'install-wimboot.ipxe': 'ipxe/install-wimboot.ipxe',
  'startnet.cmd': 'windows/startnet.cmd',
  'winpeshl.ini': 'windows/winpeshl.ini',
  'autounattend.xml': 'windows/autounattend.xml',
  'SetupComplete.cmd': 'windows/SetupComplete.cmd',
} as const;
export type WindowsFile = keyof typeof WINDOWS_FILES;

export function windowsEngine(): TemplateEngine {
  return createTemplateEngine(TEMPLATES_DIR);
}

/** Renders every Windows file the way the boot server does: the iPXE script without secrets, artifacts with. */
export function renderWindows(
  engine: TemplateEngine,
  contexts: MachineContexts,
): Record<WindowsFile, string> {
  const out = {} as Record<WindowsFile, string>;
  for (const [file, template] of Object.entries(WINDOWS_FILES) as [WindowsFile, string][]) {
    out[file] = engine.render(
      template,
      file === 'install-wimboot.ipxe' ? contexts.install : contexts.artifacts,
    );
  }
  return out;
}
