import { readFileSync } from 'node:fs';
import type Router from '@koa/router';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestBootServer, type TestBootServer, TINY_IMAGE } from './helpers/boot-server-fixture.js';

type Operation = { responses: Record<string, { content?: Record<string, unknown> }> };
const doc = parse(readFileSync('openapi.yaml', 'utf8')) as {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, unknown>;
};
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

let t: TestBootServer;
beforeAll(async () => {
  t = await startTestBootServer();
});
afterAll(() => t?.close());

/** `METHOD /path/{param}` for every route the apps' routers serve. */
function routesOf(app: Koa): string[] {
  const routers = app.middleware
    .map((mw) => (mw as unknown as { router?: Router }).router)
    .filter((r): r is Router => Boolean(r));
  return routers.flatMap((router) =>
    router.stack.flatMap((layer) =>
      layer.methods
        .filter((m) => m !== 'HEAD')
        .map(
          (m) =>
            `${m.toLowerCase()} ${String(layer.path)
              .replace(/:(\w+)\(\.\+\)/g, '{$1}')
              .replace(/:(\w+)/g, '{$1}')
              .replace('(.*)', '{path}')}`,
        ),
    ),
  );
}

const documented = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((k) => METHODS.includes(k))
      .map((m) => `${m} ${path}`),
  );

// The whole document as one schema, so response schemas are referenced with their JSON pointer.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema({ ...doc, $id: 'openapi.json' });

function responseSchema(method: string, path: string, status: number) {
  const op = doc.paths[path]?.[method];
  const response = op?.responses[String(status)] as
    | { $ref?: string; content?: Record<string, unknown> }
    | undefined;
  if (!response) throw new Error(`${method} ${path} does not document ${status}`);
  const pointer = response.$ref
    ? response.$ref.slice(1)
    : `/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}/responses/${status}`;
  return `openapi.json#${pointer}/content/application~1json/schema`;
}

/** Checks a live answer against what openapi.yaml says for that operation and status. */
async function conforms(res: Response, method: string, path: string) {
  const body = await res.json();
  const validate = ajv.getSchema(responseSchema(method, path, res.status));
  if (!validate) throw new Error(`no schema for ${method} ${path} ${res.status}`);
  expect(validate(body) ? null : { status: res.status, errors: validate.errors, body }).toBeNull();
  return body;
}

describe('openapi.yaml', () => {
  it('is OpenAPI 3.1 and every schema in it compiles', () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    for (const name of Object.keys((doc.components.schemas as object) ?? {})) {
      expect(() => ajv.getSchema(`openapi.json#/components/schemas/${name}`)).not.toThrow();
    }
    // The schemas do constrain: a malformed error body does not pass.
    expect(ajv.getSchema('openapi.json#/components/schemas/Error')!({ error: 1 })).toBe(false);
  });

  it('documents every route of both listeners, and nothing else', () => {
    const served = [...routesOf(t.server.bootApp), ...routesOf(t.server.apiApp)].sort();
    expect(served.length).toBeGreaterThan(10);
    expect(documented().sort()).toEqual(served);
  });

  it('describes what the API answers', async () => {
    const created = await t.apiFetch('/api/v1/images', { method: 'POST', json: TINY_IMAGE });
    await conforms(created, 'post', '/api/v1/images');
    await conforms(await t.apiFetch('/api/v1/images'), 'get', '/api/v1/images');
    await conforms(await t.apiFetch('/api/v1/images/tinylinux'), 'get', '/api/v1/images/{id}');

    const deployment = await conforms(
      await t.apiFetch('/api/v1/deployments', {
        method: 'POST',
        json: { mac: '52-54-00-12-34-56', os: 'tinylinux' },
      }),
      'post',
      '/api/v1/deployments',
    );
    await conforms(
      await t.apiFetch('/api/v1/deployments', {
        method: 'POST',
        json: { mac: '52-54-00-12-34-56', os: 'tinylinux' },
      }),
      'post',
      '/api/v1/deployments',
    );
    await conforms(
      await t.apiFetch(`/api/v1/deployments/${deployment.id}/approve`, { method: 'POST' }),
      'post',
      '/api/v1/deployments/{id}/approve',
    );
    await fetch(`${t.boot}/ipxe/52-54-00-12-34-56?platform=pcbios&manufacturer=QEMU`);
    const detail = await conforms(
      await t.apiFetch(`/api/v1/deployments/${deployment.id}`),
      'get',
      '/api/v1/deployments/{id}',
    );
    expect(detail.events.length).toBeGreaterThan(2);
    await conforms(await t.apiFetch('/api/v1/deployments?limit=1'), 'get', '/api/v1/deployments');
    await conforms(await t.apiFetch('/api/v1/deployments?limit=0'), 'get', '/api/v1/deployments');
    await conforms(await t.apiFetch('/api/v1/deployments/999'), 'get', '/api/v1/deployments/{id}');
    await conforms(
      await t.apiFetch(`/api/v1/deployments/${deployment.id}/cancel`, {
        method: 'POST',
        json: { reason: 'test' },
      }),
      'post',
      '/api/v1/deployments/{id}/cancel',
    );
    const batch = await conforms(
      await t.apiFetch('/api/v1/batches', {
        method: 'POST',
        json: {
          os: 'tinylinux',
          machines: [{ mac: '52-54-00-12-35-01', hostname: 'web01' }, { mac: '52-54-00-12-35-02' }],
        },
      }),
      'post',
      '/api/v1/batches',
    );
    await conforms(
      await t.apiFetch('/api/v1/batches', {
        method: 'POST',
        json: { os: 'tinylinux', machines: [{ mac: '52-54-00-12-35-01' }, { mac: 'zz' }] },
      }),
      'post',
      '/api/v1/batches',
    );
    await conforms(
      await t.apiFetch('/api/v1/batches', {
        method: 'POST',
        json: { os: 'tinylinux', machines: [{ mac: '52-54-00-12-35-01' }] },
      }),
      'post',
      '/api/v1/batches',
    );
    await conforms(
      await t.apiFetch(`/api/v1/batches/${batch.id}/approve`, { method: 'POST' }),
      'post',
      '/api/v1/batches/{id}/approve',
    );
    await conforms(
      await t.apiFetch(`/api/v1/batches/${batch.id}/approve`, { method: 'POST' }),
      'post',
      '/api/v1/batches/{id}/approve',
    );
    await conforms(await t.apiFetch(`/api/v1/batches/${batch.id}`), 'get', '/api/v1/batches/{id}');
    await conforms(await t.apiFetch('/api/v1/batches/999'), 'get', '/api/v1/batches/{id}');
    await conforms(
      await t.apiFetch(`/api/v1/batches/${batch.id}/cancel`, { method: 'POST', json: {} }),
      'post',
      '/api/v1/batches/{id}/cancel',
    );
    await conforms(
      await t.apiFetch(`/api/v1/batches/${batch.id}/reject`, { method: 'POST', json: {} }),
      'post',
      '/api/v1/batches/{id}/reject',
    );
    await conforms(await t.apiFetch('/api/v1/systems'), 'get', '/api/v1/systems');
    const machine = {
      mac: '52:54:00:12:34:99',
      bmc: { driver: 'ipmi', address: '127.0.0.1:9', username: 'admin', password: 'x' },
      tags: ['rack12'],
    };
    await conforms(
      await t.apiFetch('/api/v1/machines/web01', { method: 'PUT', json: machine }),
      'put',
      '/api/v1/machines/{name}',
    );
    await conforms(
      await t.apiFetch('/api/v1/machines/web01', { method: 'PUT', json: machine }),
      'put',
      '/api/v1/machines/{name}',
    );
    await conforms(
      await t.apiFetch('/api/v1/machines/web02', { method: 'PUT', json: machine }),
      'put',
      '/api/v1/machines/{name}',
    );
    await conforms(await t.apiFetch('/api/v1/machines?tag=rack12'), 'get', '/api/v1/machines');
    await conforms(await t.apiFetch('/api/v1/machines/web01'), 'get', '/api/v1/machines/{name}');
    await conforms(await t.apiFetch('/api/v1/machines/nope'), 'get', '/api/v1/machines/{name}');
    await t.apiFetch('/api/v1/machines/manual01', {
      method: 'PUT',
      json: { mac: '52:54:00:12:34:98', bmc: { driver: 'manual' } },
    });
    await conforms(
      await t.apiFetch('/api/v1/machines/manual01/power', { method: 'POST', json: { action: 'status' } }),
      'post',
      '/api/v1/machines/{name}/power',
    );
    const template = '/api/v1/templates/{name}';
    await conforms(await t.apiFetch('/api/v1/templates'), 'get', '/api/v1/templates');
    const answerFile = await conforms(
      await t.apiFetch('/api/v1/templates/windows/autounattend.xml'),
      'get',
      template,
    );
    const put = (content: string) =>
      t.apiFetch('/api/v1/templates/windows/autounattend.xml', {
        method: 'PUT',
        json: { ...answerFile, content },
      });
    await conforms(await put(`${answerFile.content}\n`), 'put', template);
    await conforms(await put('<unattend>'), 'put', template);
    await conforms(
      await t.apiFetch('/api/v1/templates/windows/autounattend.xml/versions'),
      'get',
      `${template}/versions`,
    );
    await conforms(
      await t.apiFetch('/api/v1/templates/windows/autounattend.xml/versions/1/restore', { method: 'POST' }),
      'post',
      `${template}/versions/{n}/restore`,
    );
    await conforms(
      await t.apiFetch('/api/v1/templates/windows/autounattend.xml/preview', {
        method: 'POST',
        json: { image: 'ws2025', firmware: 'efi', profile: 'kvm' },
      }),
      'post',
      `${template}/preview`,
    );
    await conforms(
      await t.apiFetch('/api/v1/templates/windows/autounattend.xml', { method: 'DELETE' }),
      'delete',
      template,
    );
    await conforms(await t.apiFetch('/api/v1/profiles'), 'get', '/api/v1/profiles');
    await conforms(
      await t.apiFetch('/api/v1/profiles/xen', { method: 'PUT', json: { match: [{ manufacturer: 'Xen' }] } }),
      'put',
      '/api/v1/profiles/{name}',
    );
    await conforms(await t.apiFetch('/api/v1/profiles/xen'), 'get', '/api/v1/profiles/{name}');
    await conforms(await fetch(`${t.boot}/healthz`), 'get', '/healthz');
    await conforms(await fetch(`${t.api}/metrics`), 'get', '/metrics'); // no token: the 401 error shape
  });
});
