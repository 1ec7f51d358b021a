import { isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Config } from './load-config.js';

/** What is wrong with a PUBLIC_BOOT_URL for machines on another host, if anything. */
export type BootUrlProblem = 'loopback' | 'test-net' | 'unspecified';

export interface BootUrlAssessment {
  url: string;
  /** PUBLIC_BOOT_URL was not set: the URL was made from this host's first LAN address. */
  guessed: boolean;
  problem: BootUrlProblem | null;
  /** One line for the operator when the URL is guessed or cannot work; null when it looks right. */
  warning: string | null;
}

/** The documentation ranges of RFC 5737 (TEST-NET-1/2/3): never a real machine's address. */
const TEST_NETS = ['192.0.2.', '198.51.100.', '203.0.113.'];

/**
 * Judges the boot URL machines are told to fetch from: loopback and 0.0.0.0 reach only this host, and a
 * TEST-NET address (RFC 5737) that is not this host's own is what `.env.example` holds, copied but
 * not edited.
 */
export function assessBootUrl(
  config: Pick<Config, 'publicBootUrl' | 'publicBootUrlGuessed'>,
): BootUrlAssessment {
  const url = config.publicBootUrl;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  let problem: BootUrlProblem | null = null;
  if (/^(localhost|::1)$/i.test(host) || (isIPv4(host) && host.startsWith('127.'))) problem = 'loopback';
  else if (host === '0.0.0.0' || host === '::') problem = 'unspecified';
  // A lab or CI host may really sit on a TEST-NET range; only an address that is not this host's is a
  // copied example.
  else if (isIPv4(host) && TEST_NETS.some((p) => host.startsWith(p)) && !isOwnAddress(host))
    problem = 'test-net';
  const fix =
    'set PUBLIC_BOOT_URL to an address the machines can reach (e.g. http://<this host on the PXE network>:8080)';
  const why: Record<BootUrlProblem, string> = {
    loopback: `${url} is a loopback address: machines on the network cannot reach it; ${fix}`,
    unspecified: `${url} is not an address machines can connect to; ${fix}`,
    'test-net': `${url} is a documentation (TEST-NET) address, as in .env.example; ${fix}`,
  };
  const guess = `PUBLIC_BOOT_URL is not set: guessed ${url} from this host's first network address`;
  const warning = problem
    ? config.publicBootUrlGuessed
      ? `${guess}, which is ${problem === 'test-net' ? 'a documentation (TEST-NET) address' : 'not reachable from other machines'}; ${fix}`
      : why[problem]
    : config.publicBootUrlGuessed
      ? `${guess}; set it if machines reach this host another way`
      : null;
  return { url, guessed: config.publicBootUrlGuessed, problem, warning };
}

function isOwnAddress(address: string): boolean {
  return Object.values(networkInterfaces()).some((list) => list?.some((a) => a.address === address));
}
