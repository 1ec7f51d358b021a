import { createInterface } from 'node:readline';
import type { ChatInbound } from '../../chat/chat-inbound.js';
import type {
  ChatPlatform,
  ChatUser,
  ThreadMessage,
  WithCard,
  WithThread,
} from '../../chat/chat-platform.js';
import type { CardModel } from '../../chat/messages/card.js';
import { cardLines } from '../../chat/messages/card-text.js';
import { createTerminalScreen, type TerminalScreen } from '../../core/terminal/terminal-screen.js';

/** The one channel of the shell. */
export const SHELL_CHANNEL = 'shell';

export interface ShellPlatformOptions {
  /** Where commands come from: `process.stdin`, a pipe, or a PassThrough in tests. */
  input: NodeJS.ReadableStream;
  /** Where cards, thread lines and replies go. Keep logs off it (stderr). */
  output: NodeJS.WritableStream;
  /** The local operator's name (`SHELL_USER`). */
  user: string;
  /** Print a `> ` prompt. @defaultValue whether `output` is a TTY */
  prompt?: boolean;
  /**
   * The screen `output` belongs to, shared with whatever else prints there (log warnings on a terminal),
   * so nothing lands inside the prompt. @defaultValue a screen of its own on `output`
   */
  screen?: TerminalScreen;
  /**
   * Ctrl-C at the prompt: readline takes the terminal's raw input, so the keystroke arrives here rather
   * than as a signal. `npm start` passes a function that raises SIGINT on the process (drain and exit).
   * @defaultValue closing the input
   */
  onInterrupt?: () => void;
}

/** The shell adapter, plus what tests and `npm start` need to know about it. */
export interface ShellPlatform extends ChatPlatform {
  /** Who typed commands are from (the requester identity). */
  readonly requester: ChatUser;
  /** Who `/approve` and `/reject` are from (the console's ✅/❌). */
  readonly approver: ChatUser;
  /** Resolves when the input has ended and every line read has been handled. */
  readonly inputDone: Promise<void>;
}

/**
 * Chat on a terminal or a pipe, like Hubot's shell adapter: one line in is one command, output is plain
 * text. Cards print as a box, card edits as `~ #42 …`, thread replies as `[#42] …`, private messages as
 * `🔒 …`. It works the same through a pipe, so a script can drive `npm start`.
 *
 * Approval in the shell: there is one person at a console, who also controls the process and its
 * environment (`ALLOW_SELF_APPROVAL` included), so four eyes cannot be enforced here. Typed commands are
 * made as `SHELL_USER` (the requester); `/approve` and `/reject` stand for the console's ✅/❌ and act as a
 * separate identity, `SHELL_USER` at the console (id `<user>@console`), which is the shell's only
 * approver. Every decision is still audited with that identity. On Discord and Slack the self-approval
 * rule applies as configured.
 */
export function createShellPlatform(opts: ShellPlatformOptions): ShellPlatform {
  const requester: ChatUser = { id: opts.user, name: opts.user };
  const approver: ChatUser = { id: `${opts.user}@console`, name: opts.user };
  const prompt = opts.prompt ?? Boolean((opts.output as { isTTY?: boolean }).isTTY);
  let stopped = false;
  let finish: () => void = () => {};
  const inputDone = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const screen = opts.screen ?? createTerminalScreen({ out: opts.output });
  const print = (lines: string | string[]) => {
    if (stopped) return;
    screen.print((Array.isArray(lines) ? lines : lines.split('\n')).join('\n'));
  };
  let rl: ReturnType<typeof createInterface> | null = null;

  async function handle(inbound: ChatInbound, line: string): Promise<void> {
    const text = line.trim();
    if (!text || text.startsWith('#')) return;
    if (!text.startsWith('/')) {
      print('Commands start with a slash; /help lists them.');
      return;
    }
    const [name = '', ...rest] = text.slice(1).split(/\s+/);
    const decision = name === 'approve' || name === 'reject';
    const reply = await inbound.command({
      platform: 'shell',
      user: decision ? approver : requester,
      channelId: SHELL_CHANNEL,
      name,
      text: rest.join(' '),
    });
    // Ephemeral or public, the console is one person's screen.
    print(reply.text);
  }

  return {
    name: 'shell',
    defaultChannel: SHELL_CHANNEL,
    maxMessageLength: 16_000,
    requester,
    approver,
    inputDone,

    async start(inbound) {
      if (!inbound) return;
      rl = createInterface({ input: opts.input, output: prompt ? opts.output : undefined, terminal: prompt });
      const reader = rl;
      const showPrompt = () => {
        if (!prompt || stopped) return;
        reader.prompt();
        screen.setPromptVisible(true);
      };
      if (prompt) {
        reader.setPrompt('> ');
        screen.attachPrompt(reader);
        // Enter moves the cursor below the prompt: output of the command prints as plain lines.
        reader.on('line', () => screen.setPromptVisible(false));
        if (opts.onInterrupt) reader.on('SIGINT', opts.onInterrupt);
      }
      void (async () => {
        try {
          showPrompt();
          for await (const line of reader) {
            await handle(inbound, line);
            showPrompt();
          }
        } finally {
          screen.attachPrompt(null);
          finish();
        }
      })();
    },

    async stop() {
      stopped = true;
      rl?.close();
    },

    async postCard(_channel, card) {
      print(boxed(card));
      return { messageId: card.batch ? `card-b${card.batch.id}` : `card-${card.deploymentId}` };
    },

    async updateCard(_ref: WithCard, card: CardModel) {
      print(`~ ${card.batch ? `batch #${card.batch.id}` : `#${card.deploymentId}`} ${card.statusLine}`);
    },

    async ensureThread(ref: WithCard, title: string) {
      print(`[${label(ref)}] ── ${title}`);
      return { threadId: ref.batchId ? `thread-b${ref.batchId}` : `thread-${ref.deploymentId}` };
    },

    async postThreadMessage(ref: WithThread, message: ThreadMessage) {
      print(message.text.split('\n').map((l) => `[${label(ref)}] ${l}`));
    },

    async postChannelMessage(_channelId: string, message: ThreadMessage) {
      print(message.text.split('\n').map((l) => `[digest] ${l}`));
    },

    async sendPrivate(_user, text) {
      print(`🔒 ${text}`);
    },

    async isApprover(user) {
      return user.id === approver.id;
    },

    rateBuckets() {
      return [];
    },

    approvalHint(id, batchId) {
      const which = batchId ? `b${batchId}` : id;
      return `Type /approve ${which} to approve or /reject ${which} to reject.`;
    },
  };
}

/** `#42` for a deployment, `batch #7` for a batch. */
function label(ref: WithCard): string {
  return ref.batchId ? `batch #${ref.batchId}` : `#${ref.deploymentId}`;
}

function boxed(card: CardModel): string[] {
  const [title, ...rest] = cardLines(card);
  return [`┌─ ${title}`, ...rest.map((l) => `│ ${l}`), '└─'];
}
