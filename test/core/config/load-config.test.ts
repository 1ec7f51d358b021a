import { describe, expect, it } from 'vitest';
import { loadConfig, redactConfig } from '../../../core/config/index.js';

describe('loadConfig', () => {
  it('works with no configuration at all', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/octofleet');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.BOOT_PORT).toBe(8080);
    expect(config.API_HOST).toBe('127.0.0.1');
    expect(config.chatPlatforms).toEqual([]);
    expect(config.publicBootUrl).toMatch(/^http:\/\/[\d.]+:8080$/);
  });

  it('trims a trailing slash from PUBLIC_BOOT_URL', () => {
    expect(loadConfig({ PUBLIC_BOOT_URL: 'http://10.0.0.5:8080/' }).publicBootUrl).toBe(
      'http://10.0.0.5:8080',
    );
  });

  it.each([
    [{ BOOT_PORT: 'eighty' }, /^Invalid configuration: BOOT_PORT /],
    [{ BOOT_PORT: '70000' }, /BOOT_PORT must be a port number/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/],
    [{ REDIS_URL: 'nope' }, /REDIS_URL must be a redis/],
    [{ ALLOW_SELF_APPROVAL: 'maybe' }, /ALLOW_SELF_APPROVAL must be true or false/],
    [{ APPROVAL_TIMEOUT_MINUTES: '-5' }, /APPROVAL_TIMEOUT_MINUTES must be a positive number/],
    [{ API_TOKEN: 'short' }, /API_TOKEN must be at least 16 characters/],
    [{ API_HOST: '0.0.0.0' }, /API_TOKEN is required when API_HOST \(0\.0\.0\.0\)/],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, /SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is required/],
    [{ SLACK_BOT_TOKEN: 'abc' }, /SLACK_BOT_TOKEN must start with xoxb-/],
    [{ WINDOWS_DOMAIN: 'corp.example' }, /WINDOWS_JOIN_USER and WINDOWS_JOIN_PASSWORD are required/],
    [
      { WINDOWS_AGENT_URL: 'http://10.0.0.5/agent-setup.exe' },
      /WINDOWS_AGENT_ARGS is required for an \.exe agent/,
    ],
    [{ LINUX_SERIAL_CONSOLE: 'ttyUSB0' }, /LINUX_SERIAL_CONSOLE must look like ttyS1/],
    [{ DISCORD_CHANNEL_ID: '42' }, /DISCORD_CHANNEL_ID must be a Discord snowflake/],
    [{ WINDOWS_ADMIN_PASSWORD: 'alllowercase' }, /WINDOWS_ADMIN_PASSWORD must meet Windows complexity/],
    [
      { WINDOWS_DOMAIN: 'corp&example', WINDOWS_JOIN_USER: 'j', WINDOWS_JOIN_PASSWORD: 'p' },
      /WINDOWS_DOMAIN must be a DNS/,
    ],
    [
      {
        WINDOWS_DOMAIN: 'corp.example',
        WINDOWS_DOMAIN_OU: 'OU=x</OU>',
        WINDOWS_JOIN_USER: 'j',
        WINDOWS_JOIN_PASSWORD: 'p',
      },
      /WINDOWS_DOMAIN_OU must be a distinguished name/,
    ],
    [
      { WINDOWS_DOMAIN: 'corp.example', WINDOWS_JOIN_USER: 'a&b', WINDOWS_JOIN_PASSWORD: 'p' },
      /WINDOWS_JOIN_USER must be user/,
    ],
    [{ WINDOWS_JOIN_USER: 'join' }, /WINDOWS_JOIN_USER is set but WINDOWS_DOMAIN is not/],
    [{ WINDOWS_TIMEZONE: 'Europe/Berlin\n' }, /WINDOWS_TIMEZONE must be a Windows time zone ID/],
    [{ WINDOWS_LOCALE: 'german' }, /WINDOWS_LOCALE must be a locale name/],
    [{ LINUX_USERNAME: 'root' }, /LINUX_USERNAME must not be root/],
    [{ LINUX_USERNAME: 'Bad User' }, /LINUX_USERNAME must be a Linux user name/],
    [
      { LINUX_SSH_AUTHORIZED_KEYS: 'ssh-ed25519 AAAA\nrm -rf /' },
      /LINUX_SSH_AUTHORIZED_KEYS must hold one OpenSSH public key per line/,
    ],
    [{ LINUX_TIMEZONE: 'Europe/Berlin; reboot' }, /LINUX_TIMEZONE must be a time zone/],
    [{ LINUX_LOCALE: 'de_DE.UTF-8\nx' }, /LINUX_LOCALE must be a locale/],
    [{ WINDOWS_AGENT_URL: 'http://x/a.msi?a=1&b=2' }, /WINDOWS_AGENT_URL must not contain/],
  ])('refuses %j with one line naming the variable', (env, message) => {
    let error: Error | undefined;
    try {
      loadConfig(env as NodeJS.ProcessEnv);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.name).toBe('ConfigError');
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
  });

  it('accepts real SSH keys, one per line', () => {
    const keys = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0 ops@lab\necdsa-sha2-nistp256 AAAAE2VjZHNh= backup';
    expect(loadConfig({ LINUX_SSH_AUTHORIZED_KEYS: keys }).LINUX_SSH_AUTHORIZED_KEYS).toBe(keys);
  });

  it('picks chat platforms and the Slack mode from credentials', () => {
    const http = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' });
    expect(http.chatPlatforms).toEqual(['slack']);
    expect(http.slackMode).toBe('http');
    const socket = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', DISCORD_TOKEN: 'd' });
    expect(socket.chatPlatforms).toEqual(['discord', 'slack']);
    expect(socket.slackMode).toBe('socket');
  });
});

describe('redactConfig', () => {
  it('blanks every secret and database password', () => {
    const config = loadConfig({
      API_TOKEN: 'api-token-1234567890',
      SECRET_KEY: 'k'.repeat(40),
      DISCORD_TOKEN: 'discord-secret',
      DATABASE_URL: 'postgres://app:hunter2@db:5432/octofleet',
      WINDOWS_DOMAIN: 'corp.example',
      WINDOWS_JOIN_USER: 'join',
      WINDOWS_JOIN_PASSWORD: 'join-secret',
    });
    const text = JSON.stringify(redactConfig(config));
    for (const secret of ['api-token-1234567890', 'kkkkkkkk', 'discord-secret', 'hunter2', 'join-secret']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('corp.example');
  });
});
