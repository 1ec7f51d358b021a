import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootServer, createBootServer } from '../../boot-server/create-boot-server.js';
import {
  cardOf,
  cardShows,
  deploy,
  type Harness,
  postCallback,
  settled,
  startHarness,
  threadShows,
} from './support/harness.js';

let h: Harness;
let server: BootServer;
let boot: string;

beforeAll(async () => {
  h = await startHarness({ BOOT_HOST: '127.0.0.1', BOOT_PORT: '0', API_PORT: '0' });
  server = createBootServer(h.core);
  const { bootPort } = await server.start();
  boot = `http://127.0.0.1:${bootPort}`;
});
afterAll(async () => {
  await server?.stop();
  await h?.close();
});

describe('a deployment from /deploy to done', () => {
  it('posts the card, opens the thread on approval and shows every stage from the real callback route in order', async () => {
    const id = await deploy(h, 'alice', 'os:ubuntu2404 mac:52-54-00-12-34-56 hostname:srv01');
    const card = await cardOf(h, id);
    expect(h.platform.cardOf(id)!.card).toMatchObject({ status: 'pending_approval', awaitingDecision: true });
    const secret = h.platform.privateMessages.find((m) => m.user.id === 'alice')!.text;
    const password = /password (\S+)/.exec(secret)![1]!;

    const approval = await h.platform.react('bob', card, 'approve');
    expect(approval.text).toBe(`✅ You approved deployment #${id}.`);
    await threadShows(h, id, /Approved by bob/);

    // The machine PXE-boots: iPXE fetches its script, which moves the deployment to booting.
    const script = await fetch(
      `${boot}/ipxe/52:54:00:12:34:56?platform=efi&arch=x86_64&manufacturer=QEMU&product=Standard%20PC`,
    );
    expect(script.status).toBe(200);
    await threadShows(h, id, /Booting/);
    const url = `${boot}/cb/${h.core.deployments.tokenFor(await h.core.deployments.repository().get(id))}`;
    for (const body of [
      { status: 'installer', message: 'subiquity started' },
      { status: 'image_downloading', progress: 45 },
      { status: 'image_downloading', progress: 80 },
      { status: 'late_command' },
      { status: 'first_boot' },
      { status: 'done' },
    ]) {
      expect((await postCallback(url, body)).status).toBe(200);
    }
    await threadShows(h, id, /Done in/);
    await cardShows(h, id, 'done');

    expect(h.platform.threadLines(id)).toEqual([
      expect.stringMatching(/^👍 Approved by bob\. The machine may PXE-boot now/),
      '🟢 Booting — UEFI, KVM detected by manufacturer "QEMU"',
      '⚙️ Installer — subiquity started',
      '📦 Downloading image 45%',
      '📋 Installation finished',
      '🚀 First boot',
      expect.stringMatching(/^✅ Done in \d+s — srv01, SSH ready$/),
      expect.stringMatching(/^⏱ approval \d+s · power-on \d+s · boot \d+s · install \d+s · first boot \d+s$/),
    ]);
    const final = h.platform.cardOf(id)!.card;
    expect(final).toMatchObject({ status: 'done', tone: 'success', awaitingDecision: false });
    expect(final.fields).toContainEqual({ label: 'Profile', value: 'auto → KVM' });
    const all = JSON.stringify([
      ...h.platform.threads.values(),
      ...[...h.platform.cards.values()].map((c) => c.versions),
    ]);
    expect(all).not.toContain(password);
    expect(h.platform.rateLimited).toBe(0);
    // Every event reached chat and is marked so: a restart posts nothing again.
    await settled(h);
    const calls = h.platform.calls.filter((c) => c.deploymentId === id).map((c) => c.action);
    expect(calls.filter((a) => a === 'postThreadMessage').length).toBeLessThanOrEqual(8);
    expect(calls.filter((a) => a === 'postCard')).toHaveLength(1);
    expect(calls.filter((a) => a === 'createThread')).toHaveLength(1);
  });
});
