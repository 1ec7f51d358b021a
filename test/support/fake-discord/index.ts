/**
 * A fake Discord (REST + gateway) for testing the real discord.js client offline.
 * Start it with {@link startFakeDiscord} and point discord.js at `apiBase`.
 */
export type { FakeDiscordOptions, RateLimitConfig, RateLimitRule } from './config.js';
export type { CallMatcher, InjectedFailure } from './failure-injector.js';
export { type FakeDiscord, startFakeDiscord } from './fake-discord.js';
export type { SendInteractionOptions } from './interaction-builder.js';
export type {
  FakeCall,
  FakeChannel,
  FakeDiscordState,
  FakeInteraction,
  FakeInteractionResponse,
  FakeMember,
  FakeMessage,
  FakeRole,
  FakeUser,
} from './state.js';
