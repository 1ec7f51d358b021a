import { TEST_API_TOKEN } from '../helpers/boot-server-fixture.js';

/** A signed-in dashboard session as a browser would hold it, through the real form. */
export interface SignedIn {
  /** `octofleet_session=…` for a Cookie header. */
  cookie: string;
  csrf: string;
  /** The raw Set-Cookie header of the session. */
  setCookie: string;
}

/** GETs the form (its CSRF cookie and field), then POSTs it; `headers` go on both requests. */
export async function postLogin(
  api: string,
  fields: { token?: string; name?: string; csrf?: boolean } = {},
  headers: Record<string, string> = {},
): Promise<Response> {
  const form = await fetch(`${api}/login`, { headers });
  const loginCookie = form.headers
    .getSetCookie()
    .find((c) => c.startsWith('octofleet_login='))!
    .split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const body = new URLSearchParams({ token: fields.token ?? TEST_API_TOKEN, name: fields.name ?? '' });
  if (fields.csrf !== false) body.set('_csrf', csrf);
  return fetch(`${api}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
}

export async function signIn(
  api: string,
  name = 'alice',
  headers: Record<string, string> = {},
): Promise<SignedIn> {
  const res = await postLogin(api, { name }, headers);
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('octofleet_session='))!;
  const cookie = setCookie.split(';')[0]!;
  const page = await (await fetch(`${api}/`, { headers: { cookie } })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1]!;
  return { cookie, csrf, setCookie };
}
