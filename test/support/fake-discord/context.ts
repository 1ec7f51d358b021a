import type { ResolvedConfig } from './config.js';
import type { FakeGateway } from './gateway-server.js';
import type { BucketName } from './rate-limiter.js';
import type { FakeDiscordState } from './state.js';

/** What route handlers and helpers share. */
export interface FakeContext {
  state: FakeDiscordState;
  config: ResolvedConfig;
  nextId: () => string;
  gateway: FakeGateway;
  /** `http://127.0.0.1:PORT`, for attachment URLs. */
  origin: () => string;
}

/** A file part of a multipart request (`files[n]`). */
export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
}

/** A parsed REST request as a handler sees it. */
export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are untrusted JSON, checked field by field
  body: any;
  files: UploadedFile[];
}

/** A handler's answer; no body means 204. */
export interface RouteResult {
  status?: number;
  body?: unknown;
}

/** One REST route of the fake. */
export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below `/api/v10`, with `:name` parameters, e.g. `/channels/:channel/messages`. */
  pattern: string;
  /** `bot` requires `Authorization: Bot <token>` and counts toward the global limit; interaction routes use `none`. */
  auth: 'bot' | 'none';
  bucket: BucketName;
  handle: (ctx: FakeContext, req: RouteRequest) => RouteResult | Promise<RouteResult>;
}

/** Shorthand for declaring a route. */
export function route(
  method: RouteDef['method'],
  pattern: string,
  options: { auth?: RouteDef['auth']; bucket?: BucketName },
  handle: RouteDef['handle'],
): RouteDef {
  return {
    method,
    pattern,
    auth: options.auth ?? 'bot',
    bucket: options.bucket === undefined ? 'routes' : options.bucket,
    handle,
  };
}
