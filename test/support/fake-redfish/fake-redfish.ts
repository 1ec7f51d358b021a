import { randomBytes } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A Redfish BMC for tests, written from DMTF DSP0266 (protocol) and DSP0268 (schemas): the service root,
 * the Systems collection and members (PowerState, Boot override with ETags), the ComputerSystem.Reset
 * action with `ResetType@Redfish.AllowableValues`, SessionService sessions (`X-Auth-Token`, deleted on
 * logout) and Basic auth, DSP0266 error bodies with `@Message.ExtendedInfo`. Quirks of real BMCs are
 * switched on per test: If-Match required (428) and stale ETags (412), 503 while busy, a Supermicro that
 * answers 200 and reverts the override, a Dell that answers 400 and applies it.
 */
export interface FakeRedfishOptions {
  username?: string;
  password?: string;
  /** Serve HTTPS with this key and certificate. */
  tls?: { key: string; cert: string };
  /** Member ids of the Systems collection. @defaultValue ['1'] */
  systems?: string[];
  /** PATCH without `If-Match` → 428; with a stale one → 412. */
  requireIfMatch?: boolean;
  /** Answer PATCHes 200 and revert the override this many times (Supermicro, bmclib#459). */
  revertOverrides?: number;
  /** Answer Boot PATCHes 400 yet apply them (Dell 13th generation). */
  dell400?: boolean;
  /** Answer 503 to this many requests first. */
  busy?: number;
  /** `ResetType@Redfish.AllowableValues`. @defaultValue On, ForceOff, ForceRestart, GracefulShutdown */
  resetTypes?: string[];
  /** No SessionService: Basic auth only. */
  noSessions?: boolean;
  initialPower?: 'On' | 'Off';
}

export interface FakeRedfish {
  url: string;
  /** What the BMC's system looks like now. */
  state: { power: 'On' | 'Off'; boot: { target: string; enabled: string; mode: string }; etag: number };
  /** Reset types received, in order. */
  resets: string[];
  /** Every request: method, path, and how it authenticated. */
  requests: { method: string; path: string; auth: 'session' | 'basic' | 'none'; ifMatch?: string }[];
  /** Open sessions by token. */
  sessions: Map<string, string>;
  /** Sessions deleted (logged out). */
  loggedOut: number;
  options: FakeRedfishOptions;
  close(): Promise<void>;
}

export async function startFakeRedfish(options: FakeRedfishOptions = {}): Promise<FakeRedfish> {
  const user = options.username ?? 'root';
  const pass = options.password ?? 'calvin';
  const systems = options.systems ?? ['1'];
  const allowed = options.resetTypes ?? ['On', 'ForceOff', 'ForceRestart', 'GracefulShutdown'];
  const fake: FakeRedfish = {
    url: '',
    state: {
      power: options.initialPower ?? 'Off',
      boot: { target: 'None', enabled: 'Disabled', mode: 'UEFI' },
      etag: 1,
    },
    resets: [],
    requests: [],
    sessions: new Map(),
    loggedOut: 0,
    options,
    close: async () => {},
  };
  let busy = options.busy ?? 0;
  let reverts = options.revertOverrides ?? 0;

  const send = (
    res: ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { 'content-type': 'application/json', 'odata-version': '4.0', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, message: string, code = 'Base.1.8.GeneralError') =>
    send(res, status, {
      error: {
        code,
        message: 'See @Message.ExtendedInfo',
        '@Message.ExtendedInfo': [{ MessageId: code, Message: message }],
      },
    });
  const etag = () => `W/"${fake.state.etag}"`;
  const system = (id: string) => ({
    '@odata.id': `/redfish/v1/Systems/${id}`,
    '@odata.type': '#ComputerSystem.v1_13_0.ComputerSystem',
    '@odata.etag': etag(),
    Id: id,
    PowerState: fake.state.power,
    Boot: {
      BootSourceOverrideTarget: fake.state.boot.target,
      'BootSourceOverrideTarget@Redfish.AllowableValues': ['None', 'Pxe', 'Hdd', 'Cd', 'BiosSetup'],
      BootSourceOverrideEnabled: fake.state.boot.enabled,
      BootSourceOverrideMode: fake.state.boot.mode,
    },
    Actions: {
      '#ComputerSystem.Reset': {
        target: `/redfish/v1/Systems/${id}/Actions/ComputerSystem.Reset`,
        'ResetType@Redfish.AllowableValues': allowed,
      },
    },
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await new Promise<string>((done) => {
      let data = '';
      req.on('data', (c) => {
        data += c;
      });
      req.on('end', () => done(data));
    });
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
    const token = req.headers['x-auth-token'];
    const basic = req.headers.authorization;
    const auth = typeof token === 'string' ? 'session' : basic ? 'basic' : 'none';
    fake.requests.push({
      method: req.method!,
      path,
      auth,
      ifMatch: req.headers['if-match'] as string | undefined,
    });
    if (busy > 0) {
      busy--;
      return error(
        res,
        503,
        'The service is temporarily unavailable (busy); retry later',
        'Base.1.8.ServiceTemporarilyUnavailable',
      );
    }
    if (path === '/redfish/v1' && req.method === 'GET')
      return send(res, 200, {
        '@odata.id': '/redfish/v1/',
        RedfishVersion: '1.11.0',
        Systems: { '@odata.id': '/redfish/v1/Systems' },
        ...(options.noSessions
          ? {}
          : {
              SessionService: { '@odata.id': '/redfish/v1/SessionService' },
              Links: { Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } },
            }),
      });
    if (path === '/redfish/v1/SessionService/Sessions' && req.method === 'POST' && !options.noSessions) {
      const creds = JSON.parse(body || '{}') as { UserName?: string; Password?: string };
      if (creds.UserName !== user || creds.Password !== pass)
        return error(res, 401, 'Invalid username or password', 'Base.1.8.NoValidSession');
      const t = randomBytes(16).toString('hex');
      const id = String(fake.sessions.size + fake.loggedOut + 1);
      fake.sessions.set(t, id);
      return send(
        res,
        201,
        { '@odata.id': `/redfish/v1/SessionService/Sessions/${id}`, Id: id, UserName: user },
        {
          'x-auth-token': t,
          location: `/redfish/v1/SessionService/Sessions/${id}`,
        },
      );
    }
    // Everything else needs authentication.
    let ok = false;
    if (typeof token === 'string') ok = fake.sessions.has(token);
    else if (basic?.startsWith('Basic '))
      ok = Buffer.from(basic.slice(6), 'base64').toString() === `${user}:${pass}`;
    if (!ok)
      return error(res, 401, 'Authentication required or the session is invalid', 'Base.1.8.NoValidSession');

    const session = /^\/redfish\/v1\/SessionService\/Sessions\/(\w+)$/.exec(path);
    if (session && req.method === 'DELETE') {
      for (const [t, id] of fake.sessions) if (id === session[1]) fake.sessions.delete(t);
      fake.loggedOut++;
      return send(res, 204);
    }
    if (path === '/redfish/v1/Systems' && req.method === 'GET')
      return send(res, 200, {
        '@odata.id': '/redfish/v1/Systems',
        Members: systems.map((id) => ({ '@odata.id': `/redfish/v1/Systems/${id}` })),
        'Members@odata.count': systems.length,
      });
    const member = /^\/redfish\/v1\/Systems\/([^/]+)(\/Actions\/ComputerSystem\.Reset)?$/.exec(path);
    if (!member || !systems.includes(decodeURIComponent(member[1]!)))
      return error(res, 404, `The resource at ${path} was not found`, 'Base.1.8.ResourceMissingAtURI');
    const id = decodeURIComponent(member[1]!);
    if (!member[2] && req.method === 'GET') return send(res, 200, system(id), { etag: etag() });
    if (!member[2] && req.method === 'PATCH') {
      const ifMatch = req.headers['if-match'];
      if (options.requireIfMatch && !ifMatch)
        return error(res, 428, 'The request requires an If-Match header', 'Base.1.8.PreconditionRequired');
      if (ifMatch && ifMatch !== etag())
        return error(res, 412, 'The ETag does not match the current resource', 'Base.1.8.PreconditionFailed');
      const patch = (JSON.parse(body || '{}') as { Boot?: Record<string, string> }).Boot ?? {};
      const next = {
        target: patch.BootSourceOverrideTarget ?? fake.state.boot.target,
        enabled: patch.BootSourceOverrideEnabled ?? fake.state.boot.enabled,
        mode: patch.BootSourceOverrideMode ?? fake.state.boot.mode,
      };
      fake.state.etag++;
      if (reverts > 0) {
        // Supermicro: "200 OK", and the mode (here all of it) quietly stays what it was.
        reverts--;
        return send(res, 200, system(id), { etag: etag() });
      }
      fake.state.boot = next;
      if (options.dell400)
        return error(
          res,
          400,
          'Unable to modify the attribute because it is read-only: BootSourceOverrideMode',
          'Base.1.8.PropertyNotWritable',
        );
      return send(res, 200, system(id), { etag: etag() });
    }
    if (member[2] && req.method === 'POST') {
      const { ResetType } = JSON.parse(body || '{}') as { ResetType?: string };
      if (!ResetType || !allowed.includes(ResetType))
        return error(
          res,
          400,
          `The value ${ResetType} for ResetType is not in the list of acceptable values`,
          'Base.1.8.ActionParameterValueNotInList',
        );
      fake.resets.push(ResetType);
      if (ResetType === 'On' || ResetType === 'ForceOn') {
        if (fake.state.power === 'On')
          return error(res, 409, 'The server is already powered on', 'IDRAC.2.1.RAC0501');
        fake.state.power = 'On';
      } else if (ResetType === 'ForceOff' || ResetType === 'GracefulShutdown') fake.state.power = 'Off';
      else fake.state.power = 'On';
      return send(res, 204);
    }
    return error(res, 405, `${req.method} is not allowed on ${path}`, 'Base.1.8.OperationNotAllowed');
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e) => error(res, 500, String(e)));
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, listener) : createHttpServer(listener);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  fake.url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  fake.close = () =>
    new Promise((done) => {
      server.closeAllConnections();
      server.close(() => done());
    });
  return fake;
}
