import { describe, expect, it } from 'vitest';
import { ConsoleBuffer, cleanConsole } from './qemu-console.js';

// Bytes as OVMF and iPXE write them to the serial console.
const OVMF_CLEAR = '\x1b[2J\x1b[01;01H\x1b[=3h\x1b[2J\x1b[01;01H';
const IPXE_BANNER =
  '\x1b[1m\x1b[37m\x1b[40miPXE 1.0.0\x1b[0m\x1b[37m\x1b[40m -- \x1b[0m\x1b[36m\x1b[40mhttp://ipxe.org\x1b[0m\r\n';
const IPXE_PROMPT = `Press Ctrl-B...${'\b \b'.repeat(15)}net0: up\r\n`;

describe('cleanConsole', () => {
  it('removes firmware escape sequences, including private modes', () => {
    expect(cleanConsole(`${OVMF_CLEAR}${IPXE_BANNER}`)).toBe('iPXE 1.0.0 -- http://ipxe.org\n');
  });

  it('applies backspaces, so an erased prompt disappears', () => {
    expect(cleanConsole(IPXE_PROMPT)).toBe('net0: up\n');
  });
});

describe('ConsoleBuffer', () => {
  it('hands out clean lines even when an escape sequence is split across chunks', () => {
    const lines: string[] = [];
    const buffer = new ConsoleBuffer((line) => lines.push(line));
    buffer.push('first\r\nsec\x1b[3');
    buffer.push('7mond\r\nthi');
    expect(lines).toEqual(['first', 'second']);
    expect(buffer.text()).toBe('first\nsecond\nthi');
    buffer.close();
    expect(lines).toEqual(['first', 'second', 'thi']);
  });

  it('resolves a waiter on output that arrives later, and at once on output already seen', async () => {
    const buffer = new ConsoleBuffer();
    buffer.push('booting\n');
    const later = buffer.waitFor(/status=(\w+) sent/, 5000);
    buffer.push('callback status=done sent\n');
    expect((await later)[1]).toBe('done');
    expect((await buffer.waitFor(/booting/, 5000))[0]).toBe('booting');
  });

  it('rejects a waiter with the console tail when the VM exits first', async () => {
    const buffer = new ConsoleBuffer();
    buffer.push('Kernel panic - not syncing\n');
    const waiting = buffer.waitFor(/all callbacks sent/, 5000);
    buffer.close();
    await expect(waiting).rejects.toThrow(/exited before.*all callbacks sent.*\n.*Kernel panic/s);
    await expect(buffer.waitFor(/anything/, 5000)).rejects.toThrow(/exited before/);
  });
});
