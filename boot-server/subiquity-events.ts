import { z } from 'zod';
import type { StageName } from '../core/deployments/stages.js';

/**
 * Subiquity (Ubuntu autoinstall `reporting: {hook: {type: webhook, endpoint: <callbackUrl>}}`) and
 * curtin post one JSON reporting event per step, e.g.
 * `{"event_type":"finish","name":"subiquity/Install/install/configure_apt","result":"SUCCESS",
 *   "description":"…","origin":"curtin","timestamp":1700000000.1}`
 * (cloud-init `cloudinit/reporting/events.py` defines the shape; subiquity forwards curtin's).
 *
 * How they map to callback stages (core/deployments/stages.ts):
 *
 * | event                                                        | stage          | effect                  |
 * |--------------------------------------------------------------|----------------|-------------------------|
 * | `finish` with `result: FAIL` (any kept name)                 | `failed`       | fails, with description |
 * | `finish` `subiquity/Install/install`, SUCCESS or WARN         | `late_command` | "Installation finished" |
 * | `start` of a phase (`subiquity/Install/install`, depth ≤ 3)   | `installer`    | → installing            |
 * | `finish` of a step (depth ≤ 4), SUCCESS or WARN              | `installer`    | → installing            |
 * | API chatter (`subiquity/Meta/…`, names ending `_GET`/`_POST`),| —             | ignored (202), not kept |
 * | deeper steps, `start` of steps, `log` and other types        |                |                         |
 *
 * Depth limits keep a chat thread readable: an autoinstall emits hundreds of nested events.
 *
 * The installed system's first boot reports `first_boot`/`configuring` and `done` itself (cloud-init in
 * the Ubuntu templates): subiquity's last event is not the end of a deployment.
 */
export const subiquityEvent = z.object({
  event_type: z.string().max(32),
  name: z.string().max(512),
  description: z.string().max(4000).optional(),
  origin: z.string().max(64).optional(),
  result: z.string().max(16).optional(),
});
export type SubiquityEvent = z.infer<typeof subiquityEvent>;

/** What to do with one webhook event. */
export type MappedEvent =
  | { kind: 'record'; stage: StageName; message: string }
  | { kind: 'ignore'; reason: string };

/** Depth of the names kept: `subiquity/Install/install` is 3, `…/install/configure_apt` is 4. */
const MAX_START_DEPTH = 3;
const MAX_FINISH_DEPTH = 4;
const INSTALL_STEP = 'subiquity/Install/install';

/** Maps a subiquity/curtin reporting event to a callback stage, or says why it is ignored. */
export function mapSubiquityEvent(event: SubiquityEvent): MappedEvent {
  const name = event.name.trim();
  const description = event.description?.trim() ?? '';
  const what = description ? `${name}: ${description}` : name;
  if (isChatter(name)) return { kind: 'ignore', reason: 'installer API chatter' };
  if (event.event_type !== 'start' && event.event_type !== 'finish') {
    return { kind: 'ignore', reason: `event_type ${event.event_type.slice(0, 32)} is not reported` };
  }
  const depth = name.split('/').length;
  if (depth > (event.event_type === 'start' ? MAX_START_DEPTH : MAX_FINISH_DEPTH)) {
    return { kind: 'ignore', reason: 'nested installer step' };
  }
  const result = (event.result ?? '').toUpperCase();
  if (event.event_type === 'finish' && result === 'FAIL') {
    return { kind: 'record', stage: 'failed', message: `installer step failed: ${what}` };
  }
  if (event.event_type === 'finish' && name === INSTALL_STEP) {
    return {
      kind: 'record',
      stage: 'late_command',
      message: `installation finished${result === 'WARN' ? ' with warnings' : ''}`,
    };
  }
  return {
    kind: 'record',
    stage: 'installer',
    message: `${event.event_type === 'start' ? 'started' : 'finished'} ${what}`,
  };
}

function isChatter(name: string): boolean {
  return name.startsWith('subiquity/Meta/') || /_(GET|POST|PUT|DELETE)$/.test(name);
}
