import type { DeploymentState } from './lifecycle.js';

/**
 * The documented callback stages (`status` field of `POST /cb/:token`) and the lifecycle state each
 * one moves a deployment to. `null` means "progress only": recorded and shown, no state change.
 * Installers may send any stage below; unknown names are refused with this list.
 */
export const STAGES = {
  // Generic lifecycle stages any installer may send.
  installing: { state: 'installing', label: 'Installing' },
  configuring: { state: 'configuring', label: 'Configuring first boot' },
  done: { state: 'done', label: 'Done' },
  failed: { state: 'failed', label: 'Failed' },
  progress: { state: null, label: 'Progress' },
  // Windows PE (startnet.cmd) and first boot (SetupComplete.cmd).
  winpe_started: { state: 'installing', label: 'WinPE started' },
  disk_prepared: { state: 'installing', label: 'Disk partitioned' },
  image_downloading: { state: 'installing', label: 'Downloading image' },
  image_applied: { state: 'installing', label: 'Image applied' },
  drivers_added: { state: 'installing', label: 'Drivers added' },
  rebooting: { state: 'installing', label: 'Rebooting into Windows' },
  specialize: { state: 'configuring', label: 'Windows specialize pass' },
  domain_joined: { state: 'configuring', label: 'Joined the domain' },
  agent_installed: { state: 'configuring', label: 'Agent installed' },
  // Linux installers (subiquity webhook events are mapped to `installer` by the callback route).
  installer: { state: 'installing', label: 'Installer' },
  early_command: { state: 'installing', label: 'Installer started' },
  /** disk-select.sh chose the disk its rule names (core/disks/disk-rule.ts). */
  disk_selected: { state: 'installing', label: 'Disk selected' },
  late_command: { state: 'installing', label: 'Installation finished' },
  first_boot: { state: 'configuring', label: 'First boot' },
} as const satisfies Record<string, { state: DeploymentState | null; label: string }>;

export type StageName = keyof typeof STAGES;

export function isStageName(name: string): name is StageName {
  return Object.hasOwn(STAGES, name);
}
