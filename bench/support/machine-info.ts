import { cpus, release, totalmem } from 'node:os';
import { Redis } from 'ioredis';
import { queryOnce } from './bench-database.js';

/** The machine a result came from, as the README states it next to the figures. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGb: number;
  kernel: string;
  node: string;
  postgres: string;
  redis: string;
}

export async function machineInfo(databaseUrl: string, redisUrl: string): Promise<MachineInfo> {
  const [pgRow] = await queryOnce<{ server_version: string }>(databaseUrl, 'show server_version');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let redisVersion = 'unknown';
  try {
    await redis.connect();
    redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    kernel: `Linux ${release()}`,
    node: process.version,
    postgres: pgRow?.server_version.split(' ')[0] ?? 'unknown',
    redis: redisVersion,
  };
}
