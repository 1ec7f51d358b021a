import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordHarness, startDiscordHarness } from './support/discord-harness.js';
import { card, deploy, status, threadShows } from './support/discord-user.js';

// A boot script's failure report reaches the thread in one line, as text: markdown in it is escaped.
let h: DiscordHarness;
beforeAll(async () => {
  h = await startDiscordHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('Discord: a boot failure in the thread', () => {
  it('says what failed within one line, with markdown characters shown literally', async () => {
    const mac = '00:15:5d:0b:0b:01';
    const { id } = await deploy(h, 'bob', { mac, os: 'ubuntu2404', hostname: 'web07' });
    const posted = await card(h, id);
    h.fake.addReaction('alice', 'deploys', posted.id, '✅');
    await threadShows(h, posted.id, /^👍 Approved by alice/);
    await fetch(`${h.bootUrl}/ipxe/00-15-5D-0B-0B-01?platform=efi&manufacturer=QEMU`);
    await threadShows(h, posted.id, /^🟢 Booting/);

    const d = await h.core.deployments.repository().get(id);
    // A step name the server does not know is shown as sent (it may only hold [A-Za-z0-9._-]).
    const res = await fetch(
      `${h.bootUrl}/r/${h.core.deployments.tokenFor(d)}/boot-failed?step=a__init__&code=0x2d0c613b`,
    );
    expect(res.status).toBe(200);
    await threadShows(
      h,
      posted.id,
      /^❌ web07 could not download step a__init__ \(404 Not Found\) — gave up, booting from disk$/,
    );
    const raw = h.fake.state.visibleMessages(posted.id).map((m) => m.content);
    expect(raw).toContain(
      '❌ web07 could not download step a\\_\\_init\\_\\_ (404 Not Found) — gave up, booting from disk',
    );
    expect(await status(h, id)).toBe('failed');
  });
});
