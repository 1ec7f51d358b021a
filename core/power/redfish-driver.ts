import type { BootMode } from '../machines/machine.entity.js';
import { createHttpClient, type HttpAnswer, type HttpClient, header } from './http-client.js';
import {
  BmcError,
  bmcText,
  bootModeLabel,
  type PowerDriver,
  type PowerState,
  type PxeResult,
} from './power-driver.js';

export interface RedfishSettings {
  /** Base URL of the BMC, e.g. `https://10.1.2.3`. */
  address: string;
  username: string;
  password: string;
  /** The `Systems` member id; the only member when absent. */
  systemId?: string | null;
  /** @defaultValue true */
  verifyTls?: boolean;
  /** @defaultValue session */
  auth?: 'session' | 'basic';
  timeoutMs?: number;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Reset types per intent, most preferred first (DMTF DSP0268 `ResetType`). */
const RESET_CHOICES = {
  on: ['On', 'ForceOn'],
  off: ['ForceOff', 'GracefulShutdown', 'PushPowerButton'],
  cycle: ['ForceRestart', 'PowerCycle', 'GracefulRestart'],
} as const;

/**
 * Redfish (DMTF DSP0266/DSP0268): Dell iDRAC, HPE iLO, Lenovo XCC, Supermicro, OpenBMC. Authenticates
 * with a SessionService session (`X-Auth-Token`, deleted on {@link close}) or Basic auth; drives the
 * system `systemId` or the only member of the Systems collection. One-time PXE is a PATCH of
 * `Boot.BootSourceOverride*` — with `If-Match` when the BMC demands it (412/428) — that is always read
 * back, because the status code is not to be trusted: Supermicro answers 200 and silently reverts the
 * mode (bmclib#459), Dell 13th generation answers 400 and applies it. Power is the `ComputerSystem.Reset`
 * action with a `ResetType` the BMC lists in `ResetType@Redfish.AllowableValues`.
 */
export class RedfishDriver implements PowerDriver {
  readonly label = 'Redfish';
  readonly warnings: string[] = [];
  private readonly http: HttpClient;
  private readonly base: string;
  private token: string | null = null;
  private sessionUri: string | null = null;
  private systemUri: string | null = null;
  private basic = false;

  constructor(private readonly s: RedfishSettings) {
    this.http = createHttpClient({ verifyTls: s.verifyTls ?? true, timeoutMs: s.timeoutMs });
    this.base = s.address.replace(/\/+$/, '');
    if (s.verifyTls === false) this.warnings.push('TLS certificate not verified: verifyTls is false');
  }

  async status(): Promise<PowerState> {
    const system = await this.get(await this.system());
    const state = str(system.json && obj(system.json).PowerState);
    if (state === 'On' || state === 'PoweringOn') return 'on';
    if (state === 'Off' || state === 'PoweringOff') return 'off';
    return 'unknown';
  }

  on(): Promise<void> {
    return this.reset('on');
  }

  off(): Promise<void> {
    return this.reset('off');
  }

  cycle(): Promise<void> {
    return this.reset('cycle');
  }

  async pxeOnce(mode: BootMode): Promise<PxeResult> {
    const uri = await this.system();
    const wanted = bootModeLabel(mode);
    const notes: string[] = [];
    for (let attempt = 1; ; attempt++) {
      const patch = await this.patchOverride(uri, wanted);
      const now = obj(obj((await this.get(uri)).json).Boot);
      const target = str(now.BootSourceOverrideTarget);
      const enabled = str(now.BootSourceOverrideEnabled);
      const reportedMode = str(now.BootSourceOverrideMode);
      const applied =
        target === 'Pxe' && enabled === 'Once' && (reportedMode === undefined || reportedMode === wanted);
      if (applied) {
        if (patch.status === 400) notes.push('the BMC answered 400 but applied it');
        if (reportedMode === undefined) notes.push('the BMC does not report a boot mode');
        return { verified: true, notes };
      }
      if (patch.status >= 400) throw this.failure(patch, 'refused');
      if (attempt >= 2)
        throw new BmcError(
          'override-reverted',
          `the BMC accepted the one-time boot override twice but reads back Target=${target ?? '?'}, Enabled=${enabled ?? '?'}, Mode=${reportedMode ?? '?'} (wanted Pxe, Once, ${wanted})`,
        );
      notes.push('the BMC reverted the override once; set again');
    }
  }

  async close(): Promise<void> {
    if (this.token && this.sessionUri) {
      // Sessions count against a small BMC limit (iDRAC: 8): always log out.
      await this.http
        .send('DELETE', this.url(this.sessionUri), { headers: { 'x-auth-token': this.token } })
        .catch(() => undefined);
    }
    this.token = null;
    await this.http.close();
  }

  /** PATCH of the Boot override; on 412/428 once more with `If-Match` and a fresh ETag. */
  private async patchOverride(uri: string, mode: string): Promise<HttpAnswer> {
    const body = JSON.stringify({
      Boot: {
        BootSourceOverrideTarget: 'Pxe',
        BootSourceOverrideEnabled: 'Once',
        BootSourceOverrideMode: mode,
      },
    });
    let answer = await this.request('PATCH', uri, { body });
    if (answer.status === 412 || answer.status === 428) {
      const fresh = await this.get(uri);
      const etag = header(fresh, 'etag') ?? str(obj(fresh.json)['@odata.etag']);
      if (!etag) throw this.failure(answer, 'protocol');
      answer = await this.request('PATCH', uri, { body, headers: { 'if-match': etag } });
    }
    if (answer.status >= 500 || answer.status === 401 || answer.status === 403)
      throw this.failure(answer, 'refused');
    return answer;
  }

  private async reset(intent: keyof typeof RESET_CHOICES): Promise<void> {
    const uri = await this.system();
    const system = obj((await this.get(uri)).json);
    const action = obj(obj(system.Actions)['#ComputerSystem.Reset']);
    const target = str(action.target) ?? `${uri}/Actions/ComputerSystem.Reset`;
    let allowed = action['ResetType@Redfish.AllowableValues'] as unknown;
    const info = str(action['@Redfish.ActionInfo']);
    if (!Array.isArray(allowed) && info) {
      const params = obj((await this.get(info)).json).Parameters;
      const reset = Array.isArray(params) ? params.map(obj).find((p) => p.Name === 'ResetType') : undefined;
      allowed = reset?.AllowableValues;
    }
    const choices: readonly string[] = RESET_CHOICES[intent];
    // No list means every ResetType is allowed (DSP0266 "Allowable values").
    const pick = Array.isArray(allowed) ? choices.find((c) => allowed.includes(c)) : choices[0];
    if (!pick)
      throw new BmcError(
        'unsupported',
        `the BMC allows ResetType ${(allowed as string[]).join(', ') || '(none)'}, none of ${choices.join(', ')}`,
      );
    const answer = await this.request('POST', target, { body: JSON.stringify({ ResetType: pick }) });
    if (answer.status >= 400) throw this.failure(answer, 'refused');
  }

  /** The system's URI: `systemId`, else the only member of the Systems collection. */
  private async system(): Promise<string> {
    if (this.systemUri) return this.systemUri;
    const root = obj((await this.get('/redfish/v1/')).json);
    const collection = str(obj(root.Systems)['@odata.id']) ?? '/redfish/v1/Systems';
    if (this.s.systemId) {
      this.systemUri = `${collection.replace(/\/+$/, '')}/${encodeURIComponent(this.s.systemId)}`;
      return this.systemUri;
    }
    const members = obj((await this.get(collection)).json).Members;
    const ids = Array.isArray(members) ? members.map((m) => str(obj(m)['@odata.id'])).filter(Boolean) : [];
    if (ids.length !== 1)
      throw new BmcError(
        'not-found',
        ids.length
          ? `the BMC has ${ids.length} systems (${ids.join(', ')}); set bmc.systemId`
          : 'the BMC lists no systems',
      );
    this.systemUri = ids[0]!;
    return this.systemUri;
  }

  private async get(uri: string): Promise<HttpAnswer> {
    const answer = await this.request('GET', uri);
    if (answer.status >= 400) throw this.failure(answer, answer.status === 404 ? 'not-found' : 'refused');
    return answer;
  }

  /** One authenticated request: a session is opened on first use unless Basic auth is configured. */
  private async request(
    method: string,
    uri: string,
    opts: { body?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpAnswer> {
    await this.login();
    const auth: Record<string, string> = this.token
      ? { 'x-auth-token': this.token }
      : { authorization: `Basic ${Buffer.from(`${this.s.username}:${this.s.password}`).toString('base64')}` };
    const answer = await this.http.send(method, this.url(uri), {
      ...opts,
      headers: { ...opts.headers, ...auth },
    });
    if (answer.status === 401 || answer.status === 403) throw this.failure(answer, 'auth');
    if (answer.status === 503 || answer.status === 429 || answer.status >= 500)
      throw this.failure(answer, 'busy');
    return answer;
  }

  private async login(): Promise<void> {
    if (this.token || this.basic) return;
    if ((this.s.auth ?? 'session') === 'basic') {
      this.basic = true;
      return;
    }
    // The service root is readable without authentication (DSP0266 "Service root"); it names the
    // sessions collection. A BMC without one only speaks Basic auth.
    const answer0 = await this.http.send('GET', this.url('/redfish/v1/'));
    if (answer0.status >= 500 || answer0.status === 429) throw this.failure(answer0, 'busy');
    const root = obj(answer0.json);
    const sessions = str(obj(obj(root.Links).Sessions)['@odata.id']);
    if (!sessions) {
      this.basic = true;
      return;
    }
    const answer = await this.http.send('POST', this.url(sessions), {
      body: JSON.stringify({ UserName: this.s.username, Password: this.s.password }),
    });
    if (answer.status === 401 || answer.status === 403) throw this.failure(answer, 'auth');
    if (answer.status === 404 || answer.status === 405) {
      // No SessionService: Basic auth is the only way in.
      this.basic = true;
      return;
    }
    if (answer.status >= 500) throw this.failure(answer, 'busy');
    const token = header(answer, 'x-auth-token');
    if (answer.status >= 400 || !token) throw this.failure(answer, 'auth');
    this.token = token;
    this.sessionUri = header(answer, 'location') ?? str(obj(answer.json)['@odata.id']) ?? null;
  }

  private url(uri: string): string {
    if (/^https?:\/\//i.test(uri)) {
      // Only follow links on the BMC itself: a Location elsewhere must not receive our token.
      const u = new URL(uri);
      if (u.origin !== new URL(this.base).origin)
        throw new BmcError('protocol', `the BMC pointed to another host (${u.origin})`);
      return uri;
    }
    return `${this.base}${uri.startsWith('/') ? '' : '/'}${uri}`;
  }

  /** A BMC's error answer in its own words (`@Message.ExtendedInfo`, else `error.message`). */
  private failure(answer: HttpAnswer, kind: BmcError['kind']): BmcError {
    const transient = kind === 'busy';
    return new BmcError(kind, `HTTP ${answer.status}: ${redfishMessage(answer)}`, transient);
  }
}

/** The most specific human message of a Redfish error body (DSP0266 "Error responses"). */
export function redfishMessage(answer: HttpAnswer): string {
  const error = obj(obj(answer.json).error);
  const info = error['@Message.ExtendedInfo'];
  const first = Array.isArray(info) ? str(obj(info[0]).Message) : undefined;
  const text = first ?? str(error.message) ?? (answer.text || 'no details');
  return bmcText(text);
}
