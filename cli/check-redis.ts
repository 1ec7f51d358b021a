import { Redis } from 'ioredis';
import { redactUrl } from '../core/config/index.js';
import { ServiceUnavailableError } from '../core/db/orm.js';

/** Fails fast, with the URL tried and how to start Redis, when Redis does not answer. */
export async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 3000,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new ServiceUnavailableError(
      `Cannot reach Redis at ${redactUrl(url)} (${(error as Error).message}). Start it with ` +
        `'redis-server --daemonize yes --bind 127.0.0.1 --port 6379' or 'docker compose up -d redis', or set REDIS_URL.`,
    );
  } finally {
    redis.disconnect();
  }
}
