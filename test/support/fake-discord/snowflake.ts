/** Discord's epoch (2015-01-01T00:00:00Z), the zero point of every snowflake's timestamp. */
export const DISCORD_EPOCH = 1_420_070_400_000n;

/**
 * Makes Discord-style snowflakes: 42 bits of milliseconds since {@link DISCORD_EPOCH}, then worker,
 * process and a 12-bit increment. Real ids today are 18–19 digits, which matters: @discordjs/rest only
 * recognises 17–19 digit ids as major parameters, otherwise every route shares one bucket.
 * @see https://discord.com/developers/docs/reference#snowflakes
 */
export function createSnowflakeFactory(): () => string {
  let increment = 0n;
  return () => {
    const ms = BigInt(Date.now()) - DISCORD_EPOCH;
    increment = (increment + 1n) & 0xfffn;
    return ((ms << 22n) | (1n << 17n) | (1n << 12n) | increment).toString();
  };
}

/** Unix milliseconds encoded in a snowflake. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}
