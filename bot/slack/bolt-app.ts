import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, type Logger as SlackLogger, SocketModeReceiver, type webApi } from '@slack/bolt';

/** Where Slack sends commands, events and interactivity in HTTP mode (Bolt's default path). */
export const SLACK_EVENTS_PATH = '/slack/events';

export interface BoltAppOptions {
  mode: 'http' | 'socket';
  botToken: string;
  /** From our own `auth.test`: given to Bolt, it never calls auth.test per request. */
  botId: string;
  botUserId: string;
  signingSecret?: string;
  appToken?: string;
  clientOptions: webApi.WebClientOptions;
  /** Options for the Socket Mode client's own WebClient (`apps.connections.open`). */
  socketClientOptions: webApi.WebClientOptions;
  logger: SlackLogger;
  /** Socket Mode: reconnect delay base after a drop (× consecutive failures). @defaultValue 5000 */
  socketPingTimeoutMs?: number;
}

export interface BoltApp {
  app: App;
  /** HTTP mode: Bolt's request listener for `/slack/events`; throws for other paths. */
  requestListener?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Socket Mode: connects. HTTP mode with `port`: listens on it. Resolves the port listened on. */
  start(port?: number): Promise<number | undefined>;
  stop(): Promise<void>;
}

/**
 * A Bolt App for one connection mode. HTTP mode verifies every request's signature and timestamp
 * (older than 5 minutes is refused) with the signing secret before any listener runs; Socket Mode needs
 * no public URL. Both use a custom receiver, because a receiver built by `App` from `socketMode: true`
 * neither sees the App's `clientOptions` nor lets us set the reconnect delay.
 */
export function createBoltApp(opts: BoltAppOptions): BoltApp {
  const common = {
    token: opts.botToken,
    botId: opts.botId,
    botUserId: opts.botUserId,
    clientOptions: opts.clientOptions,
    logger: opts.logger,
    ignoreSelf: true,
    convoStore: false as const,
  };
  if (opts.mode === 'socket') {
    if (!opts.appToken) throw new Error('Socket Mode needs SLACK_APP_TOKEN');
    const receiver = new SocketModeReceiver({
      appToken: opts.appToken,
      logger: opts.logger,
      clientPingTimeout: opts.socketPingTimeoutMs,
      installerOptions: { clientOptions: opts.socketClientOptions },
    });
    const app = new App({ ...common, receiver });
    return {
      app,
      async start() {
        await app.start();
        return undefined;
      },
      async stop() {
        await app.stop();
      },
    };
  }
  if (!opts.signingSecret) throw new Error('HTTP mode needs SLACK_SIGNING_SECRET');
  const receiver = new HTTPReceiver({
    signingSecret: opts.signingSecret,
    endpoints: SLACK_EVENTS_PATH,
    logger: opts.logger,
  });
  const app = new App({ ...common, receiver });
  let listening = false;
  return {
    app,
    requestListener: receiver.requestListener,
    async start(port) {
      if (!port) return undefined;
      const server = await receiver.start(port);
      listening = true;
      return (server.address() as AddressInfo).port;
    },
    async stop() {
      if (listening) await receiver.stop();
      listening = false;
    },
  };
}
