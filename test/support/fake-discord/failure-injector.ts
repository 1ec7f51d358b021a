/** What an injected failure does: answer with a 5xx (or any) status, or cut the TCP connection. */
export type InjectedFailure = number | 'reset';

/**
 * Which calls a failure applies to: a route as the fake names it (`POST /channels/:channel/messages`),
 * a RegExp tested against `METHOD /actual/path`, or anything when omitted.
 */
export type CallMatcher = string | RegExp | undefined;

interface Pending {
  remaining: number;
  failure: InjectedFailure;
  matcher: CallMatcher;
}

/** Queue of failures to serve instead of real answers, consumed in order of registration. */
export class FailureInjector {
  private readonly pending: Pending[] = [];

  add(count: number, failure: InjectedFailure, matcher: CallMatcher): void {
    if (count > 0) this.pending.push({ remaining: count, failure, matcher });
  }

  /** Returns the failure for this call, if one is due, and consumes it. */
  take(method: string, path: string, route: string | null): InjectedFailure | null {
    const hit = this.pending.find((p) => matches(p.matcher, method, path, route));
    if (!hit) return null;
    hit.remaining--;
    if (hit.remaining === 0) this.pending.splice(this.pending.indexOf(hit), 1);
    return hit.failure;
  }

  clear(): void {
    this.pending.length = 0;
  }
}

function matches(matcher: CallMatcher, method: string, path: string, route: string | null): boolean {
  if (matcher === undefined) return true;
  if (matcher instanceof RegExp) return matcher.test(`${method} ${path}`);
  return matcher === `${method} ${route}` || matcher === `${method} ${path}`;
}
