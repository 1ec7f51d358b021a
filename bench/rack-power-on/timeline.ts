import { type Machine, type MachineStep, WAVES } from '../boot-storm/machines.js';

/**
 * What a machine does after power-on, as pauses and requests. The pauses are a real boot's, shortened
 * where the real one is minutes of disk work nobody needs to wait for in a benchmark: iPXE's DHCP
 * between power-on and the entry script, the kernel/WinPE download before the installer asks for its
 * files, and the gaps between installer stages. What matters for latency is that requests arrive
 * spread out as a rack's do, not in lock-step waves.
 */
export interface TimelineStep {
  /** Milliseconds to wait after the previous step's answer. */
  pauseMs: number;
  step: MachineStep;
}

/** Pause before each wave of the boot storm's sequence, in milliseconds. */
const PAUSE_BEFORE_WAVE: Record<string, number> = {
  'power on': 0,
  'per-MAC script': 300, // iPXE parses boot.ipxe, reads SMBIOS
  'installer files': 2000, // wimboot / kernel + initrd download and start
  'WinPE health check': 500,
  'install stages': 1500,
  'answer files': 1500,
  'first boot stages': 2000,
};
/** Pause between two requests of one wave (the installer working between stages). */
const PAUSE_WITHIN_WAVE_MS = 800;

/**
 * The steps of one machine in order. Steps are built lazily per wave: the per-MAC script teaches the
 * machine its token, which every later URL carries.
 */
export function* timeline(m: Machine, random: () => number): Generator<TimelineStep, void, void> {
  for (const wave of WAVES) {
    const steps = wave.steps(m);
    for (const [i, step] of steps.entries()) {
      const base = i === 0 ? (PAUSE_BEFORE_WAVE[wave.name] ?? 0) : PAUSE_WITHIN_WAVE_MS;
      // ±30 % so that machines started together drift apart as real ones do.
      yield { pauseMs: base * (0.7 + 0.6 * random()), step };
    }
  }
}
