import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import {
  createSlackPlatform,
  type SlackConfig,
  type SlackPlatformOptions,
} from '../../../../bot/slack/create-slack-platform.js';
import type { ChatCommand, ChatDecision, ChatInbound, CommandReply } from '../../../../chat/chat-inbound.js';
import { createLogger } from '../../../../core/logger.js';
import type { FakeSlack } from '../../../support/fake-slack/index.js';
import { CHANNEL } from './slack-harness.js';

/** Adapter configuration pointing at a fake Slack, as loadConfig would derive it. */
export function slackConfig(
  fake: FakeSlack,
  mode: 'http' | 'socket',
  over: Partial<SlackConfig> = {},
): SlackConfig {
  return {
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: mode === 'http' ? fake.signingSecret : undefined,
    SLACK_APP_TOKEN: mode === 'socket' ? fake.appToken : undefined,
    SLACK_API_URL: fake.apiUrl,
    SLACK_CHANNEL_ID: CHANNEL,
    SLACK_APPROVER_USER_IDS: [],
    SLACK_APPROVER_USERGROUP_ID: undefined,
    SLACK_PORT: 0,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `t${randomBytes(5).toString('hex')}`,
    slackMode: mode,
    ...over,
  };
}

/** The adapter alone (no core), with its log lines kept. */
export function platformOnly(config: SlackConfig, opts: SlackPlatformOptions = {}) {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
      done();
    },
  });
  const platform = createSlackPlatform(config, createLogger({ level: 'debug', destination: sink }), opts);
  return { platform, logs };
}

/** A shared layer stand-in that records what the adapter handed over and answers a fixed reply. */
export class StubInbound implements ChatInbound {
  readonly commands: ChatCommand[] = [];
  readonly decisions: ChatDecision[] = [];
  constructor(public reply: CommandReply = { ok: true, visibility: 'ephemeral', text: 'ok' }) {}
  async command(c: ChatCommand) {
    this.commands.push(c);
    return this.reply;
  }
  async decision(d: ChatDecision) {
    this.decisions.push(d);
    return this.reply;
  }
}
