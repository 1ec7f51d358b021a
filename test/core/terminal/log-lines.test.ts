import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../../../core/terminal/log-lines.js';

describe('formatLogLine', () => {
  it('turns a pino JSON line into one short line: icon, time, message, error, fields', () => {
    const time = new Date(2026, 11, 4, 20, 31, 2).getTime();
    const line = JSON.stringify({
      level: 40,
      time,
      pid: 1,
      hostname: 'h',
      name: 'octofleet:all',
      msg: 'image change notifications interrupted',
      err: { message: 'Connection terminated', stack: 'x' },
      attempt: 2,
    });
    expect(formatLogLine(line)).toBe(
      '⚠️ 20:31:02 image change notifications interrupted — Connection terminated attempt=2',
    );
  });

  it('passes anything else through', () => {
    expect(formatLogLine('not json\n')).toBe('not json');
  });
});
