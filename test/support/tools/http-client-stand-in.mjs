#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
// A stand-in for `wget` and `curl` (picked by the name it is called by, like busybox), for machines
// that have neither: the template tests then still run the rendered shell commands for real with
// /bin/sh. It knows only the options our templates use, and refuses any other loudly, so a template
// that starts using a new option fails its test here instead of passing by accident.
import { basename } from 'node:path';

const tool = basename(process.argv[1] ?? '');
const args = process.argv.slice(2);
const fail = (code, message) => {
  process.stderr.write(`${tool}: ${message}\n`);
  process.exit(code);
};

/** curl --data-urlencode: `name=content` sends name=<encoded content>; a bare `content` is encoded whole. */
function urlencodeSpec(spec) {
  const at = spec.indexOf('=');
  if (at < 0) return encodeURIComponent(spec);
  return `${spec.slice(0, at)}=${encodeURIComponent(spec.slice(at + 1))}`;
}

function parseWget() {
  const o = {
    output: undefined,
    body: undefined,
    url: undefined,
    retries: 0,
    delay: 0,
    failHttp: true,
    quiet: false,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-q') o.quiet = true;
    else if (a === '-O') o.output = args[++i];
    else if (a === '--post-data') o.body = args[++i];
    else if (a.startsWith('--post-data=')) o.body = a.slice('--post-data='.length);
    else if (a.startsWith('-')) fail(2, `unsupported option ${a} (test stand-in)`);
    else o.url = a;
  }
  return o;
}

function parseCurl() {
  const o = {
    output: undefined,
    body: undefined,
    url: undefined,
    retries: 0,
    delay: 1,
    failHttp: false,
    quiet: false,
  };
  const data = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (/^-[fsS]+$/.test(a)) {
      if (a.includes('f')) o.failHttp = true;
      if (a.includes('s')) o.quiet = true;
    } else if (a === '-o') o.output = args[++i];
    else if (a === '--retry') o.retries = Number(args[++i]);
    else if (a === '--retry-delay') o.delay = Number(args[++i]);
    else if (a === '--retry-connrefused') o.retryRefused = true;
    else if (a === '--max-time' || a === '-m') o.maxTime = Number(args[++i]);
    else if (a === '--data-urlencode') data.push(urlencodeSpec(args[++i]));
    else if (a === '-d' || a === '--data') data.push(args[++i]);
    else if (a.startsWith('-')) fail(2, `unsupported option ${a} (test stand-in)`);
    else o.url = a;
  }
  if (data.length > 0) o.body = data.join('&');
  return o;
}

const options =
  tool === 'curl' ? parseCurl() : tool === 'wget' ? parseWget() : fail(2, 'call me as wget or curl');
if (!options.url) fail(2, 'no URL');
// wget without -O names the file after the URL; our templates always say where, so the stand-in insists.
if (tool === 'wget' && options.output === undefined) fail(2, '-O is required (test stand-in)');

async function attempt() {
  const init =
    options.body === undefined
      ? { method: 'GET' }
      : {
          method: 'POST',
          body: options.body,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        };
  if (options.maxTime) init.signal = AbortSignal.timeout(options.maxTime * 1000);
  const response = await fetch(options.url, init);
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, bytes };
}

for (let left = options.retries; ; left--) {
  let result;
  try {
    result = await attempt();
  } catch (error) {
    if (left > 0) {
      await new Promise((r) => setTimeout(r, options.delay * 1000));
      continue;
    }
    fail(tool === 'curl' ? 7 : 4, `cannot reach ${options.url}: ${error.cause?.code ?? error.message}`);
  }
  if (result.status >= 500 && left > 0 && tool === 'curl') {
    await new Promise((r) => setTimeout(r, options.delay * 1000));
    continue;
  }
  if (result.status >= 400 && (options.failHttp || tool === 'wget')) {
    fail(tool === 'curl' ? 22 : 1, `server returned error: HTTP ${result.status}`);
  }
  if (options.output === undefined || options.output === '-') process.stdout.write(result.bytes);
  else writeFileSync(options.output, result.bytes);
  process.exit(0);
}
