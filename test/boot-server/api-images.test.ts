import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBootServer, type TestBootServer, TINY_IMAGE } from './helpers/boot-server-fixture.js';

let t: TestBootServer;
beforeAll(async () => {
  t = await startTestBootServer();
});
afterAll(() => t?.close());

const send = (method: string, path: string, json?: unknown) => t.apiFetch(path, { method, json });

describe('/api/v1/images', () => {
  it('takes back what GET answered, edited (curl … | jq … | curl -X PUT), read-only fields and all', async () => {
    const got = await (await t.apiFetch('/api/v1/images/debian12')).json();
    expect(got).toMatchObject({ source: expect.any(String), createdAt: expect.any(String) });
    const edited = { ...got, boot: { ...got.boot, kernel: 'http://mirror.lab/debian/linux' } };
    const put = await send('PUT', '/api/v1/images/debian12', edited);
    expect(put.status).toBe(200);
    const after = await (await t.apiFetch('/api/v1/images/debian12')).json();
    expect(after.boot.kernel).toBe('http://mirror.lab/debian/linux');
    expect(after).toMatchObject({ source: 'api', createdAt: got.createdAt, name: got.name });
    // The same body again, now stale in source and updatedAt only where it was read before: GET afresh.
    expect((await send('PUT', '/api/v1/images/debian12', after)).status).toBe(200);
  });

  it.each([
    ['createdAt', '2020-01-01T00:00:00.000Z'],
    ['updatedAt', '2020-01-01T00:00:00.000Z'],
    ['source', 'catalog-but-not-really'],
    ['id', 'debian13'],
  ])('refuses a changed %s with a 422 naming it, and changes nothing', async (field, value) => {
    const got = await (await t.apiFetch('/api/v1/images/debian12')).json();
    const res = await send('PUT', '/api/v1/images/debian12', { ...got, name: 'Renamed', [field]: value });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      error: 'input:read-only',
      detail: `${field} is read-only: send it unchanged (as GET answers) or leave it out`,
    });
    expect(await (await t.apiFetch('/api/v1/images/debian12')).json()).toEqual(got);
  });

  it('still refuses keys it does not know', async () => {
    const got = await (await t.apiFetch('/api/v1/images/debian12')).json();
    const res = await send('PUT', '/api/v1/images/debian12', { ...got, kernelArgs: 'quiet' });
    expect(res.status).toBe(422);
    expect((await res.json()).detail).toMatch(/kernelArgs/);
  });

  it('lists the seeded catalog by id, paginated', async () => {
    const all = await (await t.apiFetch('/api/v1/images?limit=200')).json();
    const ids = all.items.map((i: { id: string }) => i.id);
    expect(ids).toContain('ubuntu2404');
    expect(ids).toEqual([...ids].sort());
    const page = await (await t.apiFetch('/api/v1/images?limit=2&offset=1')).json();
    expect(page).toMatchObject({ total: all.total, limit: 2, offset: 1 });
    expect(page.items.map((i: { id: string }) => i.id)).toEqual(ids.slice(1, 3));
  });

  it('creates the documented tinylinux image (201), refuses it twice (409), gets, replaces and deletes it', async () => {
    const image = {
      id: 'tinylinux',
      name: 'Tiny Linux',
      family: 'linux',
      boot: {
        method: 'linux',
        kernel: 'http://10.0.2.2:8080/files/tiny/vmlinuz',
        initrd: ['http://10.0.2.2:8080/files/tiny/initrd.gz'],
        cmdline: 'console=ttyS0 cb={{callbackUrl}}',
      },
    };
    const created = await send('POST', '/api/v1/images', image);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ ...image, source: 'api', templates: null });
    expect((await send('POST', '/api/v1/images', image)).status).toBe(409);
    expect(await (await t.apiFetch('/api/v1/images/tinylinux')).json()).toMatchObject({ name: 'Tiny Linux' });

    const replaced = await send('PUT', '/api/v1/images/tinylinux', { ...image, name: 'Tiny Linux 2' });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ id: 'tinylinux', name: 'Tiny Linux 2' });

    expect((await send('DELETE', '/api/v1/images/tinylinux')).status).toBe(204);
    expect((await t.apiFetch('/api/v1/images/tinylinux')).status).toBe(404);
  });

  it('refuses to delete an image an active deployment uses (409)', async () => {
    await send('POST', '/api/v1/images', { ...TINY_IMAGE, id: 'inuse' });
    await send('POST', '/api/v1/deployments', { mac: '52-54-00-00-06-01', os: 'inuse' });
    const res = await send('DELETE', '/api/v1/images/inuse');
    expect(res.status).toBe(409);
    expect((await res.json()).error).toBe('image:in-use');
  });

  it('makes a catalog image operator-owned when replaced', async () => {
    const current = await (await t.apiFetch('/api/v1/images/debian12')).json();
    const { source: _s, createdAt: _c, updatedAt: _u, ...input } = current;
    const res = await send('PUT', '/api/v1/images/debian12', { ...input, name: 'Debian 12 (ours)' });
    expect(await res.json()).toMatchObject({ source: 'api', name: 'Debian 12 (ours)' });
  });

  it.each([
    ['an id with capitals', { ...TINY_IMAGE, id: 'Tiny' }, 'id'],
    [
      'a kernel URL with a space',
      { ...TINY_IMAGE, id: 'k1', boot: { ...TINY_IMAGE.boot, kernel: 'http://x/a b' } },
      'boot.kernel',
    ],
    [
      'a cmdline with an unknown variable',
      { ...TINY_IMAGE, id: 'k2', boot: { ...TINY_IMAGE.boot, cmdline: 'x={{nope}}' } },
      'boot.cmdline',
    ],
    [
      'a cmdline that is not a template',
      { ...TINY_IMAGE, id: 'k3', boot: { ...TINY_IMAGE.boot, cmdline: 'x={{#if}}' } },
      'boot.cmdline',
    ],
    ['an unknown boot method', { ...TINY_IMAGE, id: 'k4', boot: { method: 'grub' } }, 'boot'],
    [
      'a wimboot image without editions',
      {
        id: 'w1',
        name: 'W',
        family: 'windows',
        boot: { method: 'wimboot', wimboot: 'a', bootWim: 'b', bcd: 'c', bootSdi: 'd', installWim: 'e' },
      },
      'editions',
    ],
  ])('answers 422 for %s, naming the field, and stores nothing', async (_name, body, field) => {
    const res = await send('POST', '/api/v1/images', body);
    expect(res.status).toBe(422);
    expect((await res.json()).detail).toContain(field);
    expect((await t.apiFetch(`/api/v1/images/${(body as { id: string }).id}`)).status).not.toBe(200);
  });
});
