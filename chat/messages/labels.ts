import type { DeploymentState } from '../../core/deployments/lifecycle.js';
import { isStageName, STAGES } from '../../core/deployments/stages.js';
import { isPowerStage, POWER_STAGES } from '../../core/power/power-stages.js';
import type { MessagePriority } from '../message-priority.js';

/** How each state reads on a card and in lists. */
export const STATE_LABELS: Record<DeploymentState, { emoji: string; label: string }> = {
  pending_approval: { emoji: '⏳', label: 'Waiting for approval' },
  approved: { emoji: '👍', label: 'Approved, waiting for the machine to PXE-boot' },
  booting: { emoji: '🟢', label: 'Booting' },
  installing: { emoji: '⚙️', label: 'Installing' },
  configuring: { emoji: '🛠️', label: 'Configuring first boot' },
  done: { emoji: '✅', label: 'Done' },
  failed: { emoji: '❌', label: 'Failed' },
  rejected: { emoji: '🚫', label: 'Rejected' },
  expired: { emoji: '⌛', label: 'Expired' },
  cancelled: { emoji: '🚫', label: 'Cancelled' },
};

const STAGE_EMOJI: Record<string, string> = {
  installing: '⚙️',
  configuring: '🛠️',
  progress: '📈',
  winpe_started: '🪟',
  disk_prepared: '💽',
  image_downloading: '📦',
  image_applied: '🧩',
  drivers_added: '🔌',
  rebooting: '🔄',
  specialize: '🛠️',
  domain_joined: '🏢',
  agent_installed: '🤖',
  installer: '⚙️',
  early_command: '▶️',
  late_command: '📋',
  first_boot: '🚀',
};

/** Emoji and label of an installer stage (`📦`, `Downloading image`); unknown names print as they are. */
export function stageLabel(stage: string): { emoji: string; label: string } {
  if (isStageName(stage)) return { emoji: STAGE_EMOJI[stage] ?? '•', label: STAGES[stage].label };
  if (isPowerStage(stage))
    return { emoji: stage === 'power_failed' ? '⚠️' : '⚡', label: POWER_STAGES[stage].label };
  return { emoji: '•', label: stage.replace(/_/g, ' ') };
}

const FINAL: readonly string[] = ['done', 'failed', 'rejected', 'expired', 'cancelled'];

/** Priority class of content about a state: terminal states are `final`, other states `state`. */
export function priorityOfState(state: DeploymentState | null): MessagePriority {
  if (state === null) return 'progress';
  return FINAL.includes(state) ? 'final' : 'state';
}

const RANK: Record<MessagePriority, number> = { final: 0, state: 1, progress: 2 };

/** The more urgent of two classes. */
export function morePressing(a: MessagePriority, b: MessagePriority): MessagePriority {
  return RANK[a] <= RANK[b] ? a : b;
}

/** 0 for `final`, 1 for `state`, 2 for `progress` (BullMQ priorities and delays are built from it). */
export function priorityRank(p: MessagePriority): number {
  return RANK[p];
}

/** Firmware as people say it. */
export function firmwareLabel(platform: string | undefined | null): string {
  if (platform === 'efi') return 'UEFI';
  if (platform === 'pcbios') return 'BIOS';
  return platform ? platform : 'unknown firmware';
}

/** Hardware profile as people say it. */
export function profileLabel(profile: string | null | undefined): string {
  switch (profile) {
    case 'kvm':
      return 'KVM';
    case 'hyperv-gen2':
      return 'Hyper-V Gen2';
    case 'baremetal':
      return 'bare metal';
    default:
      return profile ?? 'auto';
  }
}
