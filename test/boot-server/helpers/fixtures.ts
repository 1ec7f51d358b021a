import type { Deployment } from '../../../core/deployments/deployment.entity.js';
import type { OsImage } from '../../../core/images/os-image.entity.js';

const AT = new Date('2026-01-02T03:04:05Z');

/** A deployment as the database would return it, for rendering without a database. */
export function fakeDeployment(overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: 42,
    mac: '52:54:00:12:34:56',
    os: 'tinylinux',
    edition: null,
    hostname: 'srv01',
    profile: 'auto',
    resolvedProfile: null,
    status: 'approved',
    stage: 'approved',
    progress: null,
    failureReason: null,
    requestedBy: { platform: 'discord', id: '100000000000000001', name: 'alice' },
    tokenNonce: 'nonce',
    secrets: null,
    boot: null,
    createdAt: AT,
    updatedAt: AT,
    expiresAt: AT,
    approvedAt: AT,
    bootingAt: null,
    installingAt: null,
    configuringAt: null,
    finishedAt: null,
    lastEventAt: AT,
    ...overrides,
  } as Deployment;
}

export function fakeImage(overrides: Partial<OsImage> = {}): OsImage {
  return {
    id: 'tinylinux',
    name: 'Tiny Linux',
    family: 'linux',
    boot: {
      method: 'linux',
      kernel: 'tiny/vmlinuz',
      initrd: ['tiny/initrd.gz'],
      cmdline: 'console=ttyS0 cb={{callbackUrl}}',
    },
    templates: null,
    editions: null,
    defaultEdition: null,
    source: 'api',
    createdAt: AT,
    updatedAt: AT,
    ...overrides,
  } as OsImage;
}

/** A token of the right shape; rendering does not check it. */
export const FIXED_TOKEN = `42.${'T'.repeat(43)}`;
