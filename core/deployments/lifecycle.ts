/**
 * The deployment state machine (docs/architecture.md):
 * pending_approval → approved → booting → installing → configuring → done, with the terminal states
 * done, failed, rejected, expired and cancelled. Transitions only move forward.
 */
export const ACTIVE_STATES = [
  'pending_approval',
  'approved',
  'booting',
  'installing',
  'configuring',
] as const;
export const TERMINAL_STATES = ['done', 'failed', 'rejected', 'expired', 'cancelled'] as const;
export const ALL_STATES = [...ACTIVE_STATES, ...TERMINAL_STATES] as const;

export type ActiveState = (typeof ACTIVE_STATES)[number];
export type TerminalState = (typeof TERMINAL_STATES)[number];
export type DeploymentState = (typeof ALL_STATES)[number];

/** Every allowed transition: target state → the states it may be reached from. */
export const TRANSITIONS: Record<Exclude<DeploymentState, 'pending_approval'>, readonly ActiveState[]> = {
  approved: ['pending_approval'],
  rejected: ['pending_approval'],
  expired: ['pending_approval'],
  booting: ['approved'],
  installing: ['approved', 'booting'],
  configuring: ['approved', 'booting', 'installing'],
  done: ['approved', 'booting', 'installing', 'configuring'],
  failed: ['approved', 'booting', 'installing', 'configuring'],
  cancelled: ['pending_approval', 'approved', 'booting', 'installing', 'configuring'],
};

export function isActive(state: DeploymentState): state is ActiveState {
  return (ACTIVE_STATES as readonly string[]).includes(state);
}

export function isTerminal(state: DeploymentState): state is TerminalState {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}

/** States a deployment may be in while the machine is allowed to fetch its install script. */
export const INSTALL_SCRIPT_STATES: readonly ActiveState[] = ['approved', 'booting'];

/** States as a SQL list (`'approved', 'booting'`) for hand-written statements; states are fixed identifiers. */
export function sqlStateList(states: readonly DeploymentState[]): string {
  return states.map((s) => `'${s}'`).join(', ');
}
