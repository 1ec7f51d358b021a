/**
 * How many bytes one read of an artifact takes, from a memory budget shared by all downloads.
 *
 * `fs.createReadStream` reads 64 KiB at a time: a 5 GB install.wim is 80,000 reads, each a trip through
 * libuv's thread pool and the event loop, and that (not the bytes) held the boot server at a quarter of
 * nginx's throughput. Large reads cost the same trip for up to 16× the bytes. Every download holds two
 * buffers of its read size for as long as it runs, so a download reserves them from
 * {@link READ_BUDGET_BYTES} when it starts and gives them back when it ends; once the budget is spoken
 * for, downloads read 64 KiB at a time as before. A rack of 128 machines pulling boot.wim at once then
 * costs the process tens of megabytes, not hundreds.
 */
export const MIN_READ_BYTES = 64 * 1024;
export const MAX_READ_BYTES = 1024 * 1024;
/** Bytes of large read buffers all downloads together may hold. */
export const READ_BUDGET_BYTES = 16 * 1024 * 1024;

/** A share of the read budget: the read size of one download and how to give it back. */
export interface ReadReservation {
  readSize: number;
  release(): void;
}

/** Hands out read sizes from one budget (one per boot server). */
export function createReadBudget(budget = READ_BUDGET_BYTES): { reserve(): ReadReservation } {
  let reserved = 0;
  return {
    reserve() {
      const free = Math.max(0, budget - reserved);
      // Two buffers per download; whole 64 KiB multiples keep reads aligned with the page cache.
      const share = Math.floor(free / 2 / MIN_READ_BYTES) * MIN_READ_BYTES;
      const readSize = Math.min(MAX_READ_BYTES, Math.max(MIN_READ_BYTES, share));
      const taken = readSize > MIN_READ_BYTES ? 2 * readSize : 0;
      reserved += taken;
      let released = false;
      return {
        readSize,
        release() {
          if (released) return;
          released = true;
          reserved -= taken;
        },
      };
    },
  };
}
