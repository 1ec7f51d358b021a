/**
 * Deployment event stages of the power sequence an approval starts (never sent by installers, so not in
 * the callback stages of core/deployments/stages.ts). Each is a thread line; the card shows the last.
 */
export const POWER_STAGES = {
  power_pxe: { label: 'PXE once set', power: null },
  power_on: { label: 'Powered on', power: 'on' },
  power_cycle: { label: 'Power cycled', power: 'on' },
  power_failed: { label: 'Power control failed', power: null },
} as const;

export type PowerStage = keyof typeof POWER_STAGES;

export function isPowerStage(stage: string | null | undefined): stage is PowerStage {
  return stage != null && Object.hasOwn(POWER_STAGES, stage);
}
