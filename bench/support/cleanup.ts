/**
 * Clean-up steps of what a benchmark started (child processes, databases, queues), run in reverse order
 * when it finishes or when the operator interrupts it, so Ctrl-C leaves no process or database behind.
 */
const steps: (() => Promise<void>)[] = [];

/** Registers a clean-up step; returns a function that runs it now (once) and unregisters it. */
export function onCleanup(step: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  const run = () => {
    done ??= step();
    const i = steps.indexOf(run);
    if (i >= 0) steps.splice(i, 1);
    return done;
  };
  steps.push(run);
  return run;
}

/** Runs every pending step, newest first; errors are reported, not thrown. */
export async function cleanUpAll(): Promise<void> {
  for (const step of [...steps].reverse()) {
    await step().catch((error: Error) => console.error(`[bench] clean-up failed: ${error.message}`));
  }
}
