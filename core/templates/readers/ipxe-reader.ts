import type { ReaderFinding } from './reader-finding.js';

/**
 * Commands of the iPXE builds Octofleet serves (Debian's `ipxe` package: undionly.kpxe, ipxe.efi,
 * snponly.efi, built with iPXE's default config/general.h), from https://ipxe.org/cmd. A script using
 * anything else (`ping`, `console`, `ntp` are build options) stops with "not found" on a machine.
 */
export const IPXE_COMMANDS = new Set([
  'autoboot',
  'boot',
  'chain',
  'clear',
  'config',
  'cpuid',
  'dhcp',
  'echo',
  'exit',
  'goto',
  'ifclose',
  'ifconf',
  'ifopen',
  'ifstat',
  'imgargs',
  'imgexec',
  'imgfetch',
  'imgfree',
  'imgload',
  'imgselect',
  'imgstat',
  'imgtrust',
  'imgverify',
  'inc',
  'initrd',
  'iseq',
  'isset',
  'item',
  'choose',
  'kernel',
  'login',
  'menu',
  'module',
  'nslookup',
  'param',
  'params',
  'poweroff',
  'prompt',
  'read',
  'reboot',
  'route',
  'sanboot',
  'sanhook',
  'sanunhook',
  'set',
  'shell',
  'show',
  'sleep',
  'sync',
  'time',
  'vcreate',
  'vdestroy',
  'certstat',
  'certstore',
  'certfree',
  'imgextract',
  'ipstat',
  'neighbour',
  'nstat',
  'pxebs',
]);

/**
 * Checks an iPXE script: the first line is `#!ipxe`, and every command — including those chained with
 * `&&` and `||` — is one the supported builds have. Comments (`#`) and labels (`:name`) are skipped.
 */
export function checkIpxe(text: string): ReaderFinding | null {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== '#!ipxe')
    return { line: 1, reason: 'an iPXE script must start with the line #!ipxe' };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line || line.startsWith('#') || line.startsWith(':')) continue;
    for (const command of line.split(/(?:^|\s)(?:&&|\|\|)(?:\s|$)/)) {
      const word = command.trim().split(/\s+/)[0];
      if (!word) continue;
      if (!IPXE_COMMANDS.has(word)) {
        return {
          line: i + 1,
          reason: `"${word.slice(0, 40)}" is not a command of the iPXE builds Octofleet serves (https://ipxe.org/cmd)`,
        };
      }
    }
  }
  return null;
}
