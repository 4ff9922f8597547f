/** Argument checks shared by the durable store's methods: wrong types fail before anything changes. */

const U32_MAX = 0xffff_ffff;

/** @throws TypeError/RangeError unless `peer` is a u32. */
export function checkPeer(peer: unknown): asserts peer is number {
  if (typeof peer !== 'number') throw new TypeError(`peer must be a number, got ${typeof peer}`);
  if (!Number.isInteger(peer) || peer < 0 || peer > U32_MAX)
    throw new RangeError(`peer must be an integer from 0 to ${U32_MAX}, got ${peer}`);
}

/** @throws TypeError unless `payload` is a Uint8Array. */
export function checkPayload(payload: unknown): asserts payload is Uint8Array {
  if (!(payload instanceof Uint8Array)) throw new TypeError(`payload must be a Uint8Array, got ${describe(payload)}`);
}

/** @throws TypeError/RangeError unless `ttlMs` is a finite number >= 0 (0 is refused later, as `ZeroTtl`). */
export function checkTtl(ttlMs: unknown): asserts ttlMs is number {
  if (typeof ttlMs !== 'number') throw new TypeError(`ttlMs must be a number, got ${typeof ttlMs}`);
  if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new RangeError(`ttlMs must be a finite number >= 0, got ${ttlMs}`);
}

/** @throws TypeError/RangeError unless `now` is a finite number. */
export function checkTime(now: unknown): asserts now is number {
  if (typeof now !== 'number') throw new TypeError(`now must be a number, got ${typeof now}`);
  if (!Number.isFinite(now)) throw new RangeError(`now must be finite, got ${now}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
