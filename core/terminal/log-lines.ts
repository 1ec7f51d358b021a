/**
 * Pino's JSON lines as one short human line each, for a terminal: `⚠️ 20:31:02 SECRET_KEY is not set …`.
 * A few lines instead of pino-pretty (a new dependency with a tree of its own), because the screen needs a hook of
 * its own anyway: every line must go through the {@link TerminalScreen} so it never lands in the prompt.
 */
const LEVELS: Record<number, string> = {
  10: '·',
  20: '·',
  30: 'ℹ️',
  40: '⚠️',
  50: '❌',
  60: '💥',
};

/** Fields every line has, or that are noise on a screen. */
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'err', 'v']);
const MAX_FIELD = 120;

/** Formats one JSON log line; anything that is not JSON passes through unchanged. */
export function formatLogLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.trimEnd();
  }
  const time = typeof record.time === 'number' ? new Date(record.time).toTimeString().slice(0, 8) : '';
  const icon = LEVELS[Number(record.level)] ?? '·';
  const parts = [icon, time, String(record.msg ?? '')];
  const err = record.err as { message?: string } | undefined;
  if (err?.message) parts.push(`— ${err.message}`);
  for (const [key, value] of Object.entries(record)) {
    if (SKIP.has(key) || value === undefined || value === null) continue;
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    parts.push(`${key}=${text.length > MAX_FIELD ? `${text.slice(0, MAX_FIELD)}…` : text}`);
  }
  return parts.filter(Boolean).join(' ');
}
