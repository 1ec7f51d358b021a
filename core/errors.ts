/**
 * Domain errors. Each kind has a stable `code`, an HTTP `status` and whether its message may be shown
 * to users; boot-server and bot map them to answers in exactly one place each.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly detail?: unknown,
    /** False for internal failures whose message must not reach users. */
    readonly expose = true,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that fails validation (bad MAC, unknown OS, hostile hostname). */
export class ValidationError extends AppError {
  constructor(message: string, detail?: unknown, code = 'input:invalid') {
    super(code, message, 422, detail);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, code = 'not-found') {
    super(code, message, 404);
  }
}

/** The request is valid but conflicts with current state (MAC busy, already approved). */
export class ConflictError extends AppError {
  constructor(code: string, message: string, detail?: unknown) {
    super(code, message, 409, detail);
  }
}

/** The actor may not do this (not an approver, self-approval). */
export class ForbiddenError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, 403);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
