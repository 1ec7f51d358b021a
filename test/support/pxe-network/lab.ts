import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findTool } from './skip-reason.js';

const execFileAsync = promisify(execFile);
// Absolute paths: root's sbin folders are not on every PATH.
const IP = findTool('ip') ?? '/usr/sbin/ip';
const run = (command: 'ip' | 'sysctl', args: string[]) =>
  execFileAsync(command === 'ip' ? IP : (findTool('sysctl') ?? '/usr/sbin/sysctl'), args);

/** The private test subnet; every address the lab uses is in it. */
export const LAB_SUBNET = '10.99.0.0';
export const LAB_NETMASK = '255.255.255.0';
/** Addresses on the lab segment: the site's DHCP server, our PXE host, and the boot server's veth. */
export const LAB_ADDRESSES = { site: '10.99.0.1', pxe: '10.99.0.2', bootServer: '10.99.0.3' } as const;
/** The site's IPv6 prefix: its router advertisement spares iPXE a ~16 s wait for IPv6. */
export const LAB_IPV6 = { prefix: 'fd99::', site: 'fd99::1' } as const;

/** A PXE network in namespaces made for one scenario. Call {@link PxeLab.destroy} when done. */
export interface PxeLab {
  /** Namespace names: the L2 segment (bridge + QEMU's tap0), the site DHCP server, our PXE host. */
  ns: { lab: string; site: string; pxe: string };
  /** The tap device in `ns.lab` that QEMU attaches to. */
  tap: 'tap0';
  /** The interface name inside `ns.site` and `ns.pxe`. */
  innerInterface: 'eth0';
  /** Veth end in the test's own namespace holding {@link LAB_ADDRESSES.bootServer}; IPv6 off. */
  hostInterface: string;
  /** A world-readable scratch folder (configs, logs, TFTP root), removed by `destroy`. */
  dir: string;
  /** Starts `command` inside namespace `ns`; the process is killed by `destroy`. */
  spawnIn(ns: string, command: string, args: string[]): ChildProcess;
  /** Kills every process started in the lab, deletes the namespaces, the veth and `dir`. Idempotent. */
  destroy(): Promise<void>;
}

const labs = new Set<PxeLab>();
const allChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Builds the topology of docs/testing.md ("The PXE network lab") on {@link LAB_SUBNET}: namespace `lab` holds
 * a bridge with tap0 (for QEMU) and one veth per neighbour; `site` (10.99.0.1) and `pxe` (10.99.0.2)
 * each get the other veth end as eth0; a third veth end stays in the test's namespace (10.99.0.3) for
 * the boot server, which runs in the test process. Forwarding is off everywhere, so no packet leaves.
 */
export async function createPxeLab(): Promise<PxeLab> {
  const conflict = await run('ip', ['-4', '-o', 'addr', 'show', 'to', `${LAB_SUBNET}/24`]);
  if (conflict.stdout.trim()) {
    throw new Error(`createPxeLab: ${LAB_SUBNET}/24 is already in use here: ${conflict.stdout.trim()}`);
  }
  const id = `ofx${randomBytes(3).toString('hex')}`;
  const ns = { lab: `${id}-lab`, site: `${id}-site`, pxe: `${id}-pxe` };
  const hostInterface = `${id}h`;
  const children = new Set<ChildProcess>();
  const dir = await mkdtemp(join(tmpdir(), 'octofleet-pxe-lab-'));
  // dnsmasq drops to nobody after start; it must still read its TFTP root below this folder.
  await chmod(dir, 0o755);

  let destroyed: Promise<void> | undefined;
  const lab: PxeLab = {
    ns,
    tap: 'tap0',
    innerInterface: 'eth0',
    hostInterface,
    dir,
    spawnIn(namespace, command, args) {
      const child = spawn(IP, ['netns', 'exec', namespace, findTool(command) ?? command, ...args], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      children.add(child);
      allChildren.add(child);
      child.once('exit', () => {
        children.delete(child);
        allChildren.delete(child);
      });
      return child;
    },
    destroy() {
      destroyed ??= (async () => {
        await Promise.all([...children].map(stopChild));
        teardownSync(ns, hostInterface);
        await rm(dir, { recursive: true, force: true });
        labs.delete(lab);
      })();
      return destroyed;
    },
  };
  labs.add(lab);
  installExitHook();

  const ip = (...args: string[]) => run('ip', args);
  try {
    for (const name of Object.values(ns)) await ip('netns', 'add', name);
    await ip('-n', ns.lab, 'link', 'add', 'br0', 'type', 'bridge');
    await ip('-n', ns.lab, 'link', 'set', 'br0', 'up');
    await ip('-n', ns.lab, 'tuntap', 'add', 'dev', 'tap0', 'mode', 'tap');
    await ip('-n', ns.lab, 'link', 'set', 'tap0', 'master', 'br0', 'up');
    for (const side of ['site', 'pxe'] as const) {
      const port = `${side}0`;
      await ip('-n', ns.lab, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns[side]);
      await ip('-n', ns.lab, 'link', 'set', port, 'master', 'br0', 'up');
      await ip('-n', ns[side], 'link', 'set', 'lo', 'up');
      await ip('-n', ns[side], 'addr', 'add', `${LAB_ADDRESSES[side]}/24`, 'dev', 'eth0');
      await ip('-n', ns[side], 'link', 'set', 'eth0', 'up');
    }
    // nodad: the address is usable at once, so dnsmasq can advertise the prefix from the start.
    await ip('-n', ns.site, '-6', 'addr', 'add', `${LAB_IPV6.site}/64`, 'dev', 'eth0', 'nodad');
    await ip('link', 'add', hostInterface, 'type', 'veth', 'peer', 'name', 'host0', 'netns', ns.lab);
    await ip('-n', ns.lab, 'link', 'set', 'host0', 'master', 'br0', 'up');
    // No IPv6 on our side: the lab's router advertisement must not configure the test's namespace.
    await run('sysctl', ['-q', '-w', `net.ipv6.conf.${hostInterface}.disable_ipv6=1`]);
    await ip('addr', 'add', `${LAB_ADDRESSES.bootServer}/24`, 'dev', hostInterface);
    await ip('link', 'set', hostInterface, 'up');
  } catch (error) {
    await lab.destroy();
    throw error;
  }
  return lab;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function teardownSync(ns: PxeLab['ns'], hostInterface: string) {
  // Deleting the lab namespace removes the bridge, tap0 and every veth end, ours included.
  spawnSync(IP, ['link', 'delete', hostInterface], { stdio: 'ignore' });
  for (const name of Object.values(ns)) spawnSync(IP, ['netns', 'delete', name], { stdio: 'ignore' });
}

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test worker that dies mid-scenario must not leave namespaces, dnsmasq or QEMU behind.
  process.once('exit', () => {
    for (const child of allChildren) child.kill('SIGKILL');
    for (const lab of labs) teardownSync(lab.ns, lab.hostInterface);
  });
}
