import type { BootMode } from '../machines/machine.entity.js';
import { createHttpClient, type HttpClient } from './http-client.js';
import { BmcError, bmcText, type PowerDriver, type PowerState, type PxeResult } from './power-driver.js';
import { signWebhook } from './webhook-signature.js';

export interface WebhookSettings {
  url: string;
  secret: string;
  /** The machine, so one receiver can serve many. */
  machine: { name: string; mac: string };
  verifyTls?: boolean;
  timeoutMs?: number;
}

/**
 * The escape hatch for anything without Redfish or IPMI (Proxmox, vSphere, Hyper-V, smart PDUs): a POST
 * of `{"action":"status|on|off|cycle|pxe-once","machine":{…},"bootMode":…}` signed with the machine's
 * secret (see webhook-signature.ts) to a URL the operator runs. Any 2xx means done; for `status` the
 * receiver may answer `{"power":"on"|"off"}`. Whatever it answers otherwise is shown as its message.
 */
export class WebhookDriver implements PowerDriver {
  readonly label = 'webhook';
  readonly warnings: string[] = [];
  private readonly http: HttpClient;

  constructor(private readonly s: WebhookSettings) {
    this.http = createHttpClient({ verifyTls: s.verifyTls ?? true, timeoutMs: s.timeoutMs });
    if (s.verifyTls === false) this.warnings.push('TLS certificate not verified: verifyTls is false');
  }

  async status(): Promise<PowerState> {
    const json = await this.post('status');
    const power = (json as { power?: unknown } | null)?.power;
    return power === 'on' || power === 'off' ? power : 'unknown';
  }

  async on(): Promise<void> {
    await this.post('on');
  }

  async off(): Promise<void> {
    await this.post('off');
  }

  async cycle(): Promise<void> {
    await this.post('cycle');
  }

  async pxeOnce(mode: BootMode): Promise<PxeResult> {
    await this.post('pxe-once', mode);
    // The receiver's 2xx is all there is to read back.
    return { verified: true, notes: ['confirmed by the webhook receiver'] };
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private async post(action: string, bootMode?: BootMode): Promise<unknown> {
    const body = JSON.stringify({ action, machine: this.s.machine, ...(bootMode ? { bootMode } : {}) });
    const answer = await this.http.send('POST', this.s.url, {
      body,
      headers: signWebhook(this.s.secret, body),
    });
    if (answer.status >= 200 && answer.status < 300) return answer.json;
    const said = bmcText(answer.text || 'no details');
    const transient = answer.status >= 500 || answer.status === 429;
    throw new BmcError(
      answer.status === 401 || answer.status === 403 ? 'auth' : transient ? 'busy' : 'refused',
      `HTTP ${answer.status}: ${said}`,
      transient,
    );
  }
}
