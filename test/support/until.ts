/**
 * Polls `check` until it holds, for what arrives over the network on its own time (notifications,
 * reconnects); fails naming `what` after `ms`. Not a sleep: it returns as soon as the check passes.
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 10_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
