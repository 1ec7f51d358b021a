import type { z } from 'zod';

/**
 * The first problem of a failed zod parse as one line a user reads: `hostname: must be at most 63
 * characters`. The field name is put in front unless the message already starts with it, so a message
 * written for people ("mac is required (e.g. …)") does not stutter into "mac: mac is required".
 */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.join('.');
  return where && !issue.message.startsWith(where) ? `${where}: ${issue.message}` : issue.message;
}
