/** `▰▰▰▰▱▱▱▱▱▱ 45%`: the progress line of a card, the same on every platform. */
export function progressBar(percent: number): string {
  const p = Math.max(0, Math.min(100, Math.round(percent)));
  const filled = Math.round(p / 10);
  return `${'▰'.repeat(filled)}${'▱'.repeat(10 - filled)} ${p}%`;
}
