import { AppError } from '../errors.js';
import type { BootMode } from '../machines/machine.entity.js';

/** What a BMC says about power. `unknown` when it cannot tell (manual machines, webhooks without a body). */
export type PowerState = 'on' | 'off' | 'unknown';

/** How a one-time PXE boot was set. */
export interface PxeResult {
  /** True when the BMC's own read-back shows PXE once (in the requested mode, where it reports one). */
  verified: boolean;
  /** What the thread should add: `BMC answered 400 but applied it`, `mode not reported by the BMC`. */
  notes: string[];
}

/**
 * One machine's power, whatever the protocol: the small interface every driver implements (bmclib's
 * `PowerSetter`/`BootDeviceSetter`, reduced to what deployments need). A driver may hold a session:
 * callers end with {@link PowerDriver.close}, which logs it out.
 */
export interface PowerDriver {
  /** `Redfish`, `IPMI`, `webhook`, `manual`: how the thread names it. */
  readonly label: string;
  /** Facts the thread should say once (`TLS not verified`). */
  readonly warnings: string[];
  status(): Promise<PowerState>;
  on(): Promise<void>;
  off(): Promise<void>;
  /** Off and on again (or a hard reset), for a machine that is on. */
  cycle(): Promise<void>;
  /** Boots from the network once, in `mode`, on the next power-on or reset; reads it back. */
  pxeOnce(mode: BootMode): Promise<PxeResult>;
  close(): Promise<void>;
}

/** Kinds of BMC failure; the code is `bmc:<kind>`. */
export type BmcErrorKind =
  | 'auth'
  | 'unreachable'
  | 'timeout'
  | 'busy'
  | 'tls'
  | 'refused'
  | 'protocol'
  | 'not-found'
  | 'override-reverted'
  | 'unsupported'
  | 'manual';

/**
 * A BMC failed or refused. Its message is the BMC's own words (shown in the thread and as the API's
 * `detail`), never a credential. `transient` failures (timeouts, 5xx, 503 "busy") are worth retrying.
 */
export class BmcError extends AppError {
  constructor(
    readonly kind: BmcErrorKind,
    message: string,
    readonly transient = false,
  ) {
    super(`bmc:${kind}`, message, 502);
  }
}

/** Label of a boot mode as BMCs and people say it. */
export function bootModeLabel(mode: BootMode): string {
  return mode === 'uefi' ? 'UEFI' : 'Legacy';
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: BMC text is untrusted; control characters go
const CONTROL = /[\u0000-\u001f\u007f]+/g;

/** Text a BMC or receiver sent, as one bounded line for a thread or an API `detail`. */
export function bmcText(text: string, max = 300): string {
  return text.replace(CONTROL, ' ').trim().slice(0, max);
}
