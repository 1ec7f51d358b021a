import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeploymentModel } from '../../../boot-server/dashboard/deployment-model.js';
import { NAV } from '../../../boot-server/dashboard/pages.js';
import type { QueueModel, QueueRow } from '../../../boot-server/dashboard/queue-model.js';
import { createDashboardViews, type LayoutModel } from '../../../boot-server/dashboard/views.js';
import type { Deployment } from '../../../core/deployments/deployment.entity.js';

// Rendered dashboard pages compared with test/boot-server/dashboard/golden/<case>.html.
// After an intended view change: UPDATE_GOLDEN=1 npx vitest run test/boot-server/dashboard/views-golden.test.ts
const GOLDEN_DIR = join(import.meta.dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const HOSTILE = '<img src=x onerror=alert(1)>';

const views = createDashboardViews();
const at = (minute: number) => new Date(Date.UTC(2026, 11, 4, 21, minute, 0));
const layout = (title: string, current: string): LayoutModel => ({
  title,
  current,
  session: { actorName: 'alice', csrfToken: 'csrf-token-fixed' },
  nav: NAV,
  lastEventId: '41',
});

const row = (over: Partial<QueueRow>): QueueRow => ({
  id: 7,
  hostname: 'web07',
  mac: '52:54:00:12:34:56',
  os: 'ubuntu2404',
  osName: 'Ubuntu 24.04',
  edition: null,
  status: 'pending_approval',
  stage: null,
  progress: null,
  requester: 'bob',
  requesterPlatform: 'slack',
  approver: null,
  createdAt: at(0),
  updatedAt: at(0),
  search: 'web07',
  canDecide: true,
  canCancel: true,
  ...over,
});

const queue: QueueModel = {
  now: at(30),
  groups: [
    {
      key: 'pending_approval',
      label: 'Pending approval',
      count: 1,
      rows: [row({ hostname: HOSTILE, requester: `"${HOSTILE}` })],
    },
    {
      key: 'installing',
      label: 'Installing',
      count: 1,
      rows: [
        row({
          id: 8,
          status: 'installing',
          stage: 'image_downloading',
          progress: 45,
          approver: 'carol',
          canDecide: false,
        }),
      ],
    },
  ],
  activeCount: 2,
  finished: [row({ id: 6, status: 'failed', canDecide: false, canCancel: false })],
  states: [{ value: 'pending_approval', label: 'Pending approval' }],
  images: [{ id: 'xss', name: HOSTILE, editions: ['standard', 'datacenter'] }],
  profiles: ['auto', 'kvm'],
  machines: ['web07', HOSTILE],
};

const d = {
  id: 8,
  mac: '52:54:00:12:34:56',
  os: 'ubuntu2404',
  edition: null,
  hostname: 'web08',
  profile: 'auto',
  resolvedProfile: 'kvm',
  status: 'installing',
  stage: 'image_downloading',
  progress: 45,
  failureReason: null,
  requestedBy: { platform: 'discord', id: '1', name: HOSTILE },
  boot: { platform: 'efi' },
  createdAt: at(0),
  expiresAt: at(59),
  approvedAt: at(2),
  bootingAt: at(3),
  installingAt: at(5),
  configuringAt: null,
  finishedAt: null,
} as unknown as Deployment;

const deployment: DeploymentModel = {
  now: at(30),
  d,
  hardware: 'UEFI · QEMU',
  profile: 'KVM',
  templates: 'images/ubuntu2404/ubuntu/user-data v3; the rest built-in',
  active: true,
  canDecide: false,
  phases: [
    { label: 'approval', ms: 120_000 },
    { label: 'power-on', ms: 60_000 },
  ],
  phasesText: 'approval 2m 00s · power-on 1m 00s',
  runMs: 1_680_000,
  events: [
    {
      id: '40',
      stage: 'requested',
      message: 'requested by x',
      progress: null,
      source: 'discord',
      state: 'pending_approval',
      receivedAt: at(0),
      sinceMs: 0,
    },
    {
      id: '41',
      stage: 'image_downloading',
      message: `${HOSTILE} & <b>bold</b>`,
      progress: 45,
      source: 'installer',
      state: null,
      receivedAt: at(6),
      sinceMs: 360_000,
    },
  ],
  decisions: [
    { verdict: 'approve', accepted: true, reason: null, who: HOSTILE, platform: 'web', decidedAt: at(2) },
  ],
  ipxe: { outcome: 'local', script: '#!ipxe\nexit\n', otherDeploymentId: null, error: null },
  chat: [{ platform: 'Discord', where: 'thread', url: 'https://discord.com/channels/1/2' }],
  machine: { name: 'web08', bmc: 'redfish https://10.1.2.3', power: 'done (was off)' },
};

const cases: Record<string, () => string> = {
  login: () =>
    views.page(
      'login',
      { csrf: 'login-csrf', error: 'That token is not valid.', name: HOSTILE, open: false },
      { ...layout('Sign in', '/login'), session: null, nav: [] },
    ),
  queue: () => views.page('queue', queue, layout('Queue', '/')),
  'queue-fragment': () => views.fragment('queue-board', queue),
  deployment: () => views.page('deployment', deployment, layout('#8 web08', '/')),
  systems: () =>
    views.page(
      'systems',
      {
        items: [
          {
            hostname: HOSTILE,
            mac: '52:54:00:12:34:56',
            os: 'ubuntu2404',
            edition: null,
            manufacturer: 'QEMU',
            product: null,
            firstDeploymentId: 1,
            lastDeploymentId: 8,
            firstDeployedAt: at(0),
            lastDeployedAt: at(9),
          },
        ],
        total: 1,
        truncated: false,
      },
      layout('Systems', '/systems'),
    ),
  machines: () =>
    views.page(
      'machines',
      {
        items: [
          {
            name: 'web08',
            mac: '52:54:00:12:34:56',
            bmc: `ipmi ${HOSTILE}`,
            bootMode: 'uefi',
            profile: 'auto',
            tags: 'rack12',
            active: { id: 8, status: 'installing' },
          },
          {
            name: 'web09',
            mac: '52:54:00:12:34:57',
            bmc: null,
            bootMode: 'legacy',
            profile: 'kvm',
            tags: '',
            active: null,
          },
        ],
        total: 2,
        truncated: false,
      },
      layout('Machines', '/machines'),
    ),
  images: () =>
    views.page(
      'images',
      {
        items: [
          {
            id: 'xss',
            name: HOSTILE,
            family: 'linux',
            method: 'linux',
            editions: '',
            defaultEdition: null,
            source: 'api',
            updatedAt: at(1),
          },
        ],
      },
      layout('Images', '/images'),
    ),
};

describe('rendered dashboard pages match their golden files', () => {
  it.each(Object.keys(cases))('%s', (name) => {
    const actual = cases[name]!();
    const file = join(GOLDEN_DIR, `${name}.html`);
    if (UPDATE || !existsSync(file)) {
      if (!UPDATE && process.env.CI)
        throw new Error(`golden file ${file} is missing; run with UPDATE_GOLDEN=1`);
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(file, actual);
    }
    expect(actual).toBe(readFileSync(file, 'utf8'));
    // Whatever the page, a hostile value only ever appears escaped.
    expect(actual).not.toContain('<img src=x');
    expect(actual).not.toContain('<b>bold</b>');
    expect(actual).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
  });
});
