import {
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  SlashCommandBuilder,
  type SlashCommandIntegerOption,
} from 'discord.js';
import { PROFILES } from '../../core/images/profiles.js';

// Approval works through guild roles, so the commands exist in servers only, not in DMs.
const command = (name: string, description: string) =>
  new SlashCommandBuilder()
    .setName(name)
    .setDescription(description)
    .setContexts(InteractionContextType.Guild);

const id = (o: SlashCommandIntegerOption, description: string) =>
  o.setName('id').setDescription(description).setRequired(true).setMinValue(1);

/**
 * The whole slash command set, the one source of truth for `npm run discord:register` (which PUTs it)
 * and for the adapter (which reads options by these names and checks at start that Discord has this
 * set). Names match the shared command layer, so an interaction maps onto a `ChatCommand` by name and
 * options alone. `os` and `edition` are autocompleted from the catalog, so new images show up without
 * registering again and `edition` follows the chosen `os`.
 */
export function discordCommands(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return [
    command(
      'deploy',
      'Request an OS installation on one or more machines (an approver reacts ✅ to start it)',
    )
      .addStringOption((o) =>
        o
          .setName('os')
          .setDescription('OS image id, e.g. ws2025 (see /images)')
          .setRequired(true)
          .setAutocomplete(true)
          .setMaxLength(64),
      )
      .addStringOption((o) =>
        o
          .setName('mac')
          .setDescription('MAC address, or several separated by commas (one batch, one approval)')
          .setMaxLength(4000),
      )
      .addStringOption((o) =>
        o
          .setName('host')
          .setDescription('Machines of the inventory (see /machines), ranges allowed: web01 or web[01-20]')
          .setMaxLength(200),
      )
      .addStringOption((o) =>
        o
          .setName('tag')
          .setDescription('Every inventory machine with this tag, e.g. rack12')
          .setMaxLength(64),
      )
      .addStringOption((o) =>
        o
          .setName('edition')
          .setDescription('Edition, for images that have several (e.g. datacenter)')
          .setAutocomplete(true)
          .setMaxLength(64),
      )
      .addStringOption((o) =>
        o
          .setName('hostname')
          .setDescription('Hostname (default: from the MAC); with several MACs a range: web[01-20]')
          .setMaxLength(200),
      )
      .addStringOption((o) =>
        o
          .setName('profile')
          // Profiles are data (GET /api/v1/profiles), so no fixed choices: the core checks the name.
          .setDescription(
            `Hardware profile (default: auto, detected; built in: ${PROFILES.slice(1).join(', ')})`,
          )
          .setMaxLength(32),
      )
      .addStringOption((o) =>
        o
          .setName('disk')
          .setDescription(
            "Disk to install on: serial:…, model:…, size:100-200 or smallest:32 (default: the image's)",
          )
          .setMaxLength(96),
      )
      .toJSON(),
    command('deployments', 'Active and recent deployments').toJSON(),
    command('deploy-status', 'Card and latest events of one deployment')
      .addStringOption((o) =>
        o
          .setName('target')
          .setDescription('Deployment number (42) or the machine MAC')
          .setRequired(true)
          .setMaxLength(64),
      )
      .toJSON(),
    command('deploy-cancel', 'Stop a deployment (requester or approver)')
      .addIntegerOption((o) => id(o, 'Deployment number'))
      .addStringOption((o) => o.setName('reason').setDescription('Why, for the thread').setMaxLength(200))
      .toJSON(),
    command('images', 'The OS catalog').toJSON(),
    command('machines', 'The machine inventory (names to use with /deploy host: and /power)')
      .addStringOption((o) =>
        o.setName('tag').setDescription('Only machines with this tag, e.g. rack12').setMaxLength(32),
      )
      .toJSON(),
    command('power', "A machine's power through its BMC (status for anyone; changes for approvers)")
      .addStringOption((o) =>
        o
          .setName('machine')
          .setDescription('Machine name, e.g. web01 (see /machines)')
          .setRequired(true)
          .setMaxLength(63),
      )
      .addStringOption((o) =>
        o
          .setName('action')
          .setDescription('What to do (default: status)')
          .addChoices(['status', 'on', 'off', 'cycle'].map((a) => ({ name: a, value: a }))),
      )
      .toJSON(),
    command('templates', 'Template names and the versions in use').toJSON(),
    command('approve', 'Approve a deployment request (approvers; same as ✅ on its card)')
      .addIntegerOption((o) => id(o, 'Deployment number'))
      .toJSON(),
    command('reject', 'Reject a deployment request (requester or approver; same as ❌ on its card)')
      .addIntegerOption((o) => id(o, 'Deployment number'))
      .addStringOption((o) => o.setName('reason').setDescription('Why, for the card').setMaxLength(200))
      .toJSON(),
    command('help', 'What Octofleet can do').toJSON(),
  ];
}
