import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { onCleanup } from '../support/cleanup.js';

/** Debian's nginx binary; `apt-get install nginx-light` (or `nginx`) provides it. */
export const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => existsSync(path));

/**
 * Starts nginx on 127.0.0.1:`port` serving `root` the way a site would serve install images: one
 * worker per core, `sendfile` on, no access log. Everything it writes lives under `dir`.
 */
export async function startNginx(
  root: string,
  port: number,
  dir: string,
): Promise<{ stop(): Promise<void> }> {
  if (!NGINX) throw new Error('nginx is not installed: apt-get install nginx-light');
  await mkdir(join(dir, 'tmp'), { recursive: true });
  const conf = join(dir, 'nginx.conf');
  await writeFile(
    conf,
    [
      'worker_processes auto;',
      'daemon off;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} warn;`,
      'events { worker_connections 4096; }',
      'http {',
      '  access_log off;',
      '  sendfile on;',
      '  tcp_nopush on;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (t) => `  ${t}_temp_path ${join(dir, 'tmp')};`,
      ),
      `  server { listen 127.0.0.1:${port}; root ${root}; }`,
      '}',
      '',
    ].join('\n'),
  );
  const child = spawn(NGINX, ['-c', conf, '-p', dir], { stdio: 'ignore' });
  const stop = onCleanup(
    () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  );
  return { stop };
}
