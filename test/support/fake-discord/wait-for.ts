import type { FakeDiscordState } from './state.js';

/**
 * Resolves with the first truthy value of `predicate`, checked now and after every state change
 * (REST call, dispatch, gateway connect…), so tests wait on events rather than sleeping.
 */
export function waitForState<T>(
  state: FakeDiscordState,
  predicate: (state: FakeDiscordState) => T | undefined | null | false,
  timeoutMs: number,
  label?: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let lastError: unknown;
    const check = (): boolean => {
      try {
        const value = predicate(state);
        if (value) {
          finish();
          resolve(value);
          return true;
        }
      } catch (error) {
        // Predicates may index into state that does not exist yet; that is "not yet", not failure.
        lastError = error;
      }
      return false;
    };
    const onChange = () => void check();
    const timer = setTimeout(() => {
      finish();
      const why = lastError ? ` (last predicate error: ${String(lastError)})` : '';
      reject(
        new Error(
          `fake-discord: timed out after ${timeoutMs} ms waiting for ${label ?? predicate.toString()}${why}`,
        ),
      );
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      state.off('change', onChange);
    };
    if (!check()) state.on('change', onChange);
  });
}
