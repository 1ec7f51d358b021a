import type { TapVm } from './tap-vm.js';

/**
 * Makes a BIOS machine with the iPXE option ROM behave like plain PXE firmware (Debian has no other
 * BIOS PXE client): break into the ROM's shell with Ctrl-B, do DHCP without the iPXE user class, ask
 * the PXE boot server on port 4011 (`pxebs`) and load the file it names over TFTP. Resolves once the
 * `chain` command is typed. @see docs/testing.md "The PXE network lab"
 */
export async function poseAsPlainPxe(vm: TapVm): Promise<void> {
  await vm.until(vm.waitForConsole(/Press Ctrl-B/, 30_000));
  // The ROM offers Ctrl-B for ~2 s; repeat it until the shell is there (harmless at its prompt).
  for (const deadline = Date.now() + 15_000; !/iPXE>/.test(vm.console()); ) {
    if (Date.now() > deadline) throw new Error(`no iPXE shell after Ctrl-B; console:\n${vm.console()}`);
    await vm.type('\x02', 250);
  }
  let prompts = 1;
  for (const command of [
    'set user-class notipxe',
    'dhcp net0',
    'pxebs net0 128',
    'clear user-class',
    'chain tftp://${pxebs/next-server}/${pxebs/filename}',
  ]) {
    await vm.type(`${command}\n`);
    if (command.startsWith('chain')) return;
    prompts += 1;
    await vm.until(vm.waitForConsole(new RegExp(`(iPXE>[^]*){${prompts}}`), 30_000));
  }
}
