import {
  type GatewayGuildCreateDispatchData,
  GatewayIntentBits,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  type GuildSystemChannelFlags,
  GuildVerificationLevel,
  Locale,
} from 'discord-api-types/v10';
import type { ResolvedConfig } from './config.js';
import { apiChannel, apiMember, apiRole, isThread } from './payloads.js';
import type { FakeDiscordState } from './state.js';

type GuildCreateChannels = GatewayGuildCreateDispatchData['channels'];
type GuildCreateThreads = GatewayGuildCreateDispatchData['threads'];

/**
 * GUILD_CREATE as sent after READY. Only active threads are listed (archived ones are not).
 * Without the GuildPresences intent Discord lists only the bot itself among `members`.
 * @see https://discord.com/developers/docs/events/gateway-events#guild-create
 */
export function guildCreatePayload(
  state: FakeDiscordState,
  config: ResolvedConfig,
  intents: number,
): GatewayGuildCreateDispatchData {
  const channels = [...state.channels.values()];
  const memberIds =
    intents & GatewayIntentBits.GuildPresences ? [...state.members.keys()] : [config.applicationId];
  return {
    id: config.guildId,
    name: config.guildName,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: [...state.members.keys()].find((id) => id !== config.applicationId) ?? config.applicationId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: GuildVerificationLevel.Low,
    default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
    explicit_content_filter: GuildExplicitContentFilter.AllMembers,
    roles: [...state.roles.values()].map(apiRole),
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: GuildMFALevel.None,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0 as GuildSystemChannelFlags,
    rules_channel_id: null,
    vanity_url_code: null,
    premium_tier: GuildPremiumTier.None,
    premium_subscription_count: 0,
    preferred_locale: Locale.EnglishUS,
    public_updates_channel_id: null,
    nsfw_level: GuildNSFWLevel.Default,
    premium_progress_bar_enabled: false,
    hub_type: null,
    safety_alerts_channel_id: null,
    incidents_data: null,
    max_members: 500_000,
    max_video_channel_users: 25,
    joined_at: state.members.get(config.applicationId)!.joinedAt,
    large: false,
    unavailable: false,
    member_count: state.members.size,
    voice_states: [],
    members: memberIds.map((id) => apiMember(state, id)),
    // apiChannel returns the union type; these lists hold guild channels and threads respectively.
    channels: channels.filter((c) => !isThread(c)).map((c) => apiChannel(state, c)) as GuildCreateChannels,
    threads: channels
      .filter((c) => isThread(c) && !c.archived)
      .map((c) => apiChannel(state, c)) as GuildCreateThreads,
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
