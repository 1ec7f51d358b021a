import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SLACK_EVENTS_PATH } from '../../../bot/slack/bolt-app.js';
import { EMOJI_OF_REACTION } from '../../../bot/slack/listeners.js';
import { COMMAND_NAMES } from '../../../chat/chat-inbound.js';
import { INBOUND_SCOPES, METHOD_SCOPES } from './support/scopes.js';

const raw = readFileSync(new URL('../../../slack/manifest.yml', import.meta.url), 'utf8');
const manifest = parse(raw);

/** Commands a Slack user types; approve/reject are ✅/❌ and the card's buttons, help is `/deploy help`. */
const SLASH_COMMANDS = COMMAND_NAMES.filter((c) => !['approve', 'reject', 'help'].includes(c));

describe('slack/manifest.yml', () => {
  it('declares a slash command for each command of the chat layer a user types', () => {
    const commands = manifest.features.slash_commands as Array<Record<string, unknown>>;
    expect(commands.map((c) => String(c.command).slice(1)).sort()).toEqual([...SLASH_COMMANDS].sort());
    for (const c of commands) {
      expect(c.description, String(c.command)).toEqual(expect.any(String));
      // The adapter reads typed text as it was typed; escaping would turn names into <@U…|name>.
      expect(c.should_escape).toBe(false);
    }
    const usage = Object.fromEntries(commands.map((c) => [c.command, c.usage_hint]));
    expect(usage['/deploy']).toMatch(/mac:\S+ os:\S+/);
    expect(usage['/deploy-status']).toBeTruthy();
    expect(usage['/deploy-cancel']).toBeTruthy();
  });

  it('grants every scope the adapter’s Web API calls and events need', () => {
    const granted = new Set<string>(manifest.oauth_config.scopes.bot);
    const needed = new Set<string>([
      ...Object.values(METHOD_SCOPES).flat(),
      ...INBOUND_SCOPES.commands,
      ...Object.values(INBOUND_SCOPES.events).flat(),
    ]);
    expect([...needed].filter((s) => !granted.has(s))).toEqual([]);
    expect(
      [...granted].filter((s) => !needed.has(s)),
      'scopes nobody uses',
    ).toEqual([]);
  });

  it('subscribes to the events the adapter handles and turns interactivity on', () => {
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(
      Object.keys(INBOUND_SCOPES.events).sort(),
    );
    expect(Object.keys(EMOJI_OF_REACTION)).toEqual(['white_check_mark', 'x']);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it('uses Socket Mode as written and says how to switch to HTTP with the adapter’s path', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(raw).toContain(`# request_url: https://<your host>${SLACK_EVENTS_PATH}`);
    expect(raw).toContain('socket_mode_enabled: false');
    expect(manifest.display_information.description.length).toBeLessThanOrEqual(140);
  });
});
