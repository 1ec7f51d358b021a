import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../bot/commands/command-handler.js';
import { ChatRefRepository } from '../../core/chat/chat-ref-repository.js';
import type { Core } from '../../core/create-core.js';
import { RecordingPlatform } from '../support/recording-platform.js';
import { createTestCore } from '../support/test-core.js';

let core: Core;
let platform: RecordingPlatform;

beforeAll(async () => {
  core = await createTestCore();
  platform = new RecordingPlatform({ name: 'slack', limits: 'none', channel: null });
  await platform.start(createCommandHandler(core, [platform]));
});
afterAll(async () => {
  await core?.close();
});

const count = async () => (await core.deployments.repository().list()).total;

// alice's request for web01, which the later tests look at: made once, by whichever test needs it first,
// so every test also passes on its own (`vitest -t …`) and none depends on the one before it.
let web01: ReturnType<typeof platform.command> | undefined;
const requestWeb01 = () => {
  web01 ??= platform.command(
    'alice',
    '/deploy os:ws2025 hostname:web01 mac:00-15-5D-01-02-03 edition:datacenter',
    'C-ops',
  );
  return web01;
};

describe('/deploy', () => {
  it('creates the request, records the card channel and sends the password privately', async () => {
    const reply = await requestWeb01();
    expect(reply).toMatchObject({ ok: true, visibility: 'ephemeral', deploymentId: expect.any(Number) });
    const id = reply.deploymentId!;
    expect(reply.text).toMatch(
      new RegExp(
        `^📝 Deployment #${id} requested: Windows Server 2025 \\(datacenter\\) on 00:15:5d:01:02:03 as web01\\. It needs an approver's ✅ before .+ UTC\\. The generated password was sent to you privately\\.$`,
      ),
    );
    const [secret] = platform.privateMessages.filter((m) => m.user.id === 'alice');
    expect(secret!.text).toMatch(
      new RegExp(
        `^🔑 Deployment #${id} \\(web01\\): user Administrator, password \\S{20} — shown only to you, only now\\.$`,
      ),
    );
    const password = /password (\S+)/.exec(secret!.text)![1]!;
    expect(reply.text).not.toContain(password);
    const [ref] = await new ChatRefRepository(core.orm.em.fork()).forDeployment(id);
    expect(ref).toMatchObject({ platform: 'slack', channelId: 'C-ops', cardMessageId: null });
  });

  it('refuses a second active deployment for the same MAC and says how to proceed', async () => {
    await requestWeb01();
    const reply = await platform.command('bob', '/deploy mac:00155d010203 os:ubuntu2404');
    expect(reply).toMatchObject({ ok: false, code: 'deploy:mac-in-use' });
    expect(reply.text).toMatch(
      /^⚠️ 00:15:5d:01:02:03 already has deployment #\d+ \(pending_approval\); cancel it first with \/deploy-cancel \d+$/,
    );
  });

  it.each([
    [
      'mac:00:15:5d:zz:02:03 os:ws2025',
      '⚠️ "00:15:5d:zz:02:03" is not a MAC address: only hex digits (0-9, a-f) are allowed',
    ],
    ['mac:ff:ff:ff:ff:ff:ff os:ws2025', '⚠️ ff:ff:ff:ff:ff:ff is the broadcast address, not a machine'],
    ['mac:00:15:5d:01:02:09 os:win95', /^⚠️ unknown os "win95"; choose one of: .*ws2025/],
    [
      'mac:00:15:5d:01:02:09 os:ws2025 edition:home',
      /^⚠️ unknown edition "home" for ws2025; choose one of: datacenter, datacenter-core, standard, standard-core$/,
    ],
    [
      'mac:00:15:5d:01:02:09 os:ws2025 hostname:this-name-is-far-too-long',
      /^⚠️ hostname "this-name-is-far-too-long" must be 1–15 characters/,
    ],
    [
      'mac:00:15:5d:01:02:09 os:ubuntu2404 profile:xen',
      /^⚠️ unknown profile "xen"; use auto or a profile from GET \/api\/v1\/profiles \(built in: auto, /,
    ],
    ['os:ws2025', '⚠️ mac is required (e.g. mac:00:15:5d:01:02:03)'],
    ['mac:00:15:5d:01:02:09 os:ws2025 os:ws2022', '⚠️ os: is given twice; give each option once'],
  ])('%s → one clear line, nothing created', async (args, expected) => {
    const before = await count();
    const reply = await platform.command('alice', `/deploy ${args}`);
    expect(reply.ok).toBe(false);
    expect(reply.text).not.toContain('\n');
    if (typeof expected === 'string') expect(reply.text).toBe(expected);
    else expect(reply.text).toMatch(expected);
    expect(await count()).toBe(before);
  });
});

describe('queries', () => {
  it('/deployments lists active deployments with state and age', async () => {
    await requestWeb01();
    const reply = await platform.command('bob', '/deployments');
    expect(reply.text).toMatch(
      /^Active \(1\):\n#\d+ ⏳ pending approval · ws2025 → web01 \(00:15:5d:01:02:03\) · by alice \d+s ago$/,
    );
  });

  it('/deploy-status finds a deployment by id or by MAC in any notation', async () => {
    await requestWeb01();
    const byMac = await platform.command('bob', '/deploy-status 0015.5D01.0203');
    const byId = await platform.command('bob', `/deploy-status #${byMac.deploymentId}`);
    expect(byId.text).toBe(byMac.text);
    expect(byMac.card).toMatchObject({
      status: 'pending_approval',
      title: expect.stringContaining('Windows Server 2025 → web01'),
    });
    expect(byMac.text).toMatch(/Latest events:\n\d\d:\d\d:\d\d requested — requested by alice$/);
  });

  it('/deploy-status says when there is nothing to show', async () => {
    expect((await platform.command('bob', '/deploy-status 999')).text).toBe(
      '⚠️ deployment #999 does not exist',
    );
    expect((await platform.command('bob', '/deploy-status 52:54:00:00:00:99')).text).toBe(
      '⚠️ no deployment for 52:54:00:00:00:99 yet; start one with /deploy mac:52:54:00:00:00:99 os:<id>',
    );
    expect((await platform.command('bob', '/deploy-status')).text).toBe(
      '⚠️ which deployment? use /deploy-status <id or MAC>',
    );
  });

  it('/images lists the catalog with editions', async () => {
    const { text } = await platform.command('bob', '/images');
    expect(text.split('\n')[0]).toBe('OS images (use the id in /deploy os:<id>):');
    expect(text).toContain(
      'ws2025 · Windows Server 2025 — editions: datacenter, datacenter-core, standard, standard-core (default standard)',
    );
    expect(text).toContain('ubuntu2404 · Ubuntu Server 24.04 LTS');
    // Readiness: the tests' ARTIFACTS_DIR holds every catalog file (test/support/test-artifacts.ts).
    expect(text.split('\n')).toContain('debian12 · Debian 12 (bookworm) · ✅ ready');
    expect(text.split('\n')).toContain('ubuntu2404 · Ubuntu Server 24.04 LTS · ✅ ready');
  });

  it('/templates lists every template with the version in use', async () => {
    const before = (await platform.command('bob', '/templates')).text;
    expect(before.split('\n')[0]).toBe(
      'Templates (edit with PUT /api/v1/templates/<name> on the admin API):',
    );
    expect(before).toContain('\nwindows/autounattend.xml · built-in\n');
    expect(before).toContain('\nipxe/install-wimboot.ipxe · built-in\n');
    const text = readFileSync('templates/debian/late-command.sh.hbs', 'utf8');
    await core.templateRepository().save('debian/late-command.sh', `${text}\n`, 'test');
    const after = (await platform.command('bob', '/templates')).text;
    expect(after).toMatch(/\ndebian\/late-command\.sh · v1 \(operator, \d{4}-\d\d-\d\d \d\d:\d\d UTC\)\n/);
  });

  it('an unknown command gets the list of commands', async () => {
    const reply = await platform.command('bob', '/deploy-everything');
    expect(reply).toMatchObject({ ok: false, code: 'command:unknown' });
    expect(reply.text).toMatch(/^⚠️ I don't know \/deploy-everything\. Commands:\n\/deploy mac:/);
  });

  it('an internal failure is logged with a reference and shows no internals', async () => {
    const handler = createCommandHandler(core, [platform]);
    const reply = await handler.command({
      platform: 'discord',
      user: { id: 'x', name: 'x' },
      channelId: 'c',
      name: 'images',
    });
    expect(reply).toMatchObject({ ok: false, code: 'internal' });
    expect(reply.text).toMatch(
      /^⚠️ Something went wrong on our side \(ref [0-9a-f]{8}\); it was logged\. Try again in a moment\.$/,
    );
  });
});
