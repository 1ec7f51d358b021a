/**
 * A failed call to a chat platform, safe to log and to show: a stable code, the HTTP status when there
 * was one, and a message naming the call. It never carries the request body (which may hold a
 * deployment's password in a private message) or a token; each adapter builds it from its library's
 * error, which carries both, and throws this instead.
 */
export class PlatformCallError extends Error {
  override name = 'PlatformCallError';
  constructor(
    message: string,
    /** The platform's error code (`160004`, `channel_not_found`), or the library's. */
    readonly code: number | string,
    readonly status: number | null,
  ) {
    super(message);
  }
}
