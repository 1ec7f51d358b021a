import { spawn } from 'node:child_process';
import type { ReaderFinding } from './reader-finding.js';

/**
 * Checks a shell script with `sh -n` (parse only, nothing runs). The script goes through stdin, never
 * the command line, where any user of the machine could read it (it may hold a rendered URL with a token).
 */
export function checkShell(text: string): Promise<ReaderFinding | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-n'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) return resolve(null);
      // dash: "sh: 12: Syntax error: …"; bash: "sh: line 12: syntax error …"
      const match = /(?:^|: )(?:line )?(\d+): (.*)/m.exec(stderr);
      resolve({
        line: match ? Number(match[1]) : null,
        reason: `sh -n: ${(match?.[2] ?? stderr).trim().split('\n')[0]}`,
      });
    });
    child.stdin.on('error', () => {}); // sh may exit before reading everything
    child.stdin.end(text);
  });
}
