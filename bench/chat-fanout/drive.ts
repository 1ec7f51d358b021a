import pg from 'pg';
import type { LoadClient } from '../support/http-load.js';
import type { ChatRefRow } from './fake-platforms.js';
import type { DeploymentPlan } from './plan.js';

const TOKEN_IN_SCRIPT = /\/d\/(\d{1,10}\.[A-Za-z0-9_-]{43})\//;

/** Requests and approves every planned deployment through the admin API, as a script or a portal would. */
export async function requestAndApprove(
  apiOrigin: string,
  apiToken: string,
  plans: DeploymentPlan[],
): Promise<number[]> {
  const call = async (path: string, body: unknown) => {
    const answer = await fetch(`${apiOrigin}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await answer.json()) as { id?: number; error?: string };
    if (!answer.ok) throw new Error(`${path} answered ${answer.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const ids: number[] = [];
  for (const p of plans) {
    const { id } = await call('/api/v1/deployments', { mac: p.mac, os: p.os, hostname: p.hostname });
    ids.push(id!);
  }
  for (const id of ids) await call(`/api/v1/deployments/${id}/approve`, {});
  return ids;
}

/**
 * Polls Postgres until every event of the installation is marked posted to chat and `alsoTrue()` holds
 * (a thread line is marked posted before the card edit that follows it); false on timeout.
 */
export async function waitUntilAllPosted(
  databaseUrl: string,
  timeoutMs: number,
  alsoTrue: () => boolean | Promise<boolean> = () => true,
): Promise<boolean> {
  const client = connect(databaseUrl);
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { rows } = await client.query<{ n: string }>(
        'select count(*) as n from deployment_event where posted_at is null',
      );
      if (Number(rows[0]?.n) === 0 && (await alsoTrue())) return true;
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  } finally {
    await client.end();
  }
}

export async function chatRefs(databaseUrl: string): Promise<Map<number, ChatRefRow>> {
  const client = connect(databaseUrl);
  await client.connect();
  try {
    const { rows } = await client.query<{
      deployment_id: number;
      channel_id: string;
      card_message_id: string | null;
      thread_id: string | null;
    }>('select deployment_id, channel_id, card_message_id, thread_id from chat_ref');
    return new Map(
      rows.map((r) => [
        r.deployment_id,
        {
          deploymentId: r.deployment_id,
          channelId: r.channel_id,
          cardMessageId: r.card_message_id,
          threadId: r.thread_id,
        },
      ]),
    );
  } finally {
    await client.end();
  }
}

/** A client whose connection errors surface through its queries, not as an unhandled 'error' event. */
function connect(databaseUrl: string): pg.Client {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => {});
  return client;
}

/** When each line's request went out (epoch ms), by deployment index then line position; NaN if never. */
export type SentTimes = number[][];

/**
 * Plays the schedule from `t0`: each machine fetches its per-MAC script (and learns its token), then
 * posts its stages at their planned moments, one after the other. Answers other than 200 are counted.
 */
export async function playSchedule(
  client: LoadClient,
  plans: DeploymentPlan[],
  t0: number,
  /** Told after every line sent (a progress bar over the minutes the schedule plays). */
  onSent?: (done: number, total: number) => void,
): Promise<{ sent: SentTimes; errors: Record<string, number> }> {
  const sent: SentTimes = plans.map((p) => p.lines.map(() => Number.NaN));
  const total = plans.reduce((n, p) => n + p.lines.length, 0);
  let done = 0;
  const errors: Record<string, number> = {};
  const fail = (what: string) => {
    errors[what] = (errors[what] ?? 0) + 1;
  };
  await Promise.all(
    plans.map(async (plan) => {
      let token = '';
      for (const [i, line] of plan.lines.entries()) {
        const wait = t0 + line.atMs - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        sent[plan.index]![i] = Date.now();
        const answer = await client.send(line.request(token));
        onSent?.(++done, total);
        if (answer.error || answer.status !== 200) {
          fail(
            `${line.step === 'boot' ? '/ipxe/:mac' : '/cb/:token'}: ${answer.error ?? `HTTP ${answer.status}`}`,
          );
          if (line.step === 'boot') return;
          continue;
        }
        if (line.step === 'boot') {
          token = TOKEN_IN_SCRIPT.exec(answer.body)?.[1] ?? '';
          if (!token) return fail('/ipxe/:mac: no install script');
        }
      }
    }),
  );
  return { sent, errors };
}
