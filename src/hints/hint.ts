/**
 * What the two hint stores share for delivery: `drain(peer, deliver)` hands a
 * peer's hints to `deliver` oldest first and removes each one only after
 * `deliver` resolved for it, so a hint is never lost to a failed delivery.
 */

/** A hint as `drain` hands it to `deliver`. */
export interface DeliverableHint {
  /** Index of the peer the request was meant for. */
  readonly peer: number;
  /** The request bytes exactly as they go on the wire. */
  readonly payload: Uint8Array;
  /** Absolute deadline on the store's clock, in ms. */
  readonly deadline: number;
}

/** What one `drain` did. */
export interface DrainResult {
  /** Hints `deliver` accepted; they are gone from the store. */
  delivered: number;
  /** Hints found past their deadline and dropped without delivery. */
  expired: number;
  /**
   * Hints the drain started with that are still stored, in order, with their
   * deadlines: after `deliver` rejected, or when the store was closed.
   */
  left: number;
}

/** A store a {@link HintDrainer} can drain: `HintStore` and `DurableHintStore` both are. */
export interface DrainableHintStore {
  /** Peers that have hints, ascending. */
  peersWithHints(): number[];
  /** Drops every hint that is due; returns (or resolves to) how many. */
  expireNow(): number | Promise<number>;
  /**
   * Hands `peer`'s hints to `deliver`, oldest first, removing each after
   * `deliver` resolved; hints that are due are dropped instead.
   *
   * @throws {HintDeliveryError} when `deliver` rejects.
   */
  drain(peer: number, deliver: (hint: DeliverableHint) => Promise<void>): Promise<DrainResult>;
}
