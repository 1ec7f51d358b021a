// The root package's install step (`npm ci`, `npm install`): builds the sendfile addon with node-gyp.
// It never fails the install: without a compiler, on another OS or on any build error the boot server
// serves /files/ through its JavaScript path instead, and says so in its log when it starts.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const say = (line) => console.log(`octofleet: sendfile addon ${line}`);
const fallback = 'the boot server will serve /files/ through its JavaScript path';

if (process.platform !== 'linux') {
  say(`not built (${process.platform} has no sendfile to sockets here); ${fallback}`);
  process.exit(0);
}

// npm names its own node-gyp; outside npm, the one npm bundles beside this node, or the one on PATH.
const bundled = join(
  dirname(process.execPath),
  '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
);
const gyp = process.env.npm_config_node_gyp ?? (existsSync(bundled) ? bundled : undefined);
const [command, args] = gyp ? [process.execPath, [gyp]] : ['node-gyp', []];
args.push('rebuild', `--directory=${here}`);
// Build against the headers installed beside this node (distribution packages, the official image)
// rather than downloading them, unless npm was told where they are.
const prefix = dirname(dirname(process.execPath));
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include/node/node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
const build = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (build.status === 0) {
  say('built');
} else {
  const why = build.error?.message ?? `node-gyp exited with ${build.status ?? build.signal}`;
  process.stdout.write(build.stdout ?? '');
  process.stdout.write(build.stderr ?? '');
  say(`not built (${why}); ${fallback}`);
}
