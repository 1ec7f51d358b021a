// `npm run doctor [-- --json]`: checks an installation before the first real machine, and again when
// something is wrong: Postgres, Redis and the schema, the boot URL, PXE and TFTP files, every catalog
// image's files, the chat tokens and channel. Exit status 0 only when nothing is ❌. See docs/doctor.md.
import 'dotenv/config';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../core/config/index.js';
import { exitCode, formatReport, runDoctor } from './doctor/run-doctor.js';

const USAGE = `Usage: npm run doctor [-- --json] [--timeout MS]
  --json         one JSON object ({ok, checks: [{id, title, status, detail, fix}]}) for monitoring
  --timeout MS   per network call [5000]`;

async function main(): Promise<number> {
  let args: { json: boolean; timeout: string; help: boolean };
  try {
    args = parseArgs({
      options: {
        json: { type: 'boolean', default: false },
        timeout: { type: 'string', default: '5000' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values as typeof args;
  } catch (error) {
    console.error(`doctor: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const check = { id: 'config', title: 'Configuration', status: 'fail' as const, detail: error.message };
    if (args.json) console.log(JSON.stringify({ ok: false, checks: [check] }));
    else console.log(formatReport([check]).join('\n'));
    return 1;
  }
  const results = await runDoctor({ config, timeoutMs: Number(args.timeout) || 5000 });
  if (args.json) console.log(JSON.stringify({ ok: exitCode(results) === 0, checks: results }, null, 2));
  else console.log(formatReport(results).join('\n'));
  return exitCode(results);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(`doctor: ${error.message}`);
    process.exitCode = 1;
  },
);
