/**
 * Typed errors. Every error the library throws on bad input is one of these
 * (or a built-in `TypeError`/`RangeError` for a wrong argument type), with a
 * `kind` a program can switch on and a message a person can act on.
 */

/** Base class of every dynoring error. */
export class DynoringError extends Error {
  override name = 'DynoringError';
}

/** Where a configuration error was found, when it came from a file. */
export interface ConfigLocation {
  /** File name, as the caller gave it. */
  file?: string;
  /** 1-based line number. */
  line?: number;
  /** 1-based column number. */
  column?: number;
}

/**
 * A configuration value is wrong: a token, a seed string, a `dynomite.yml`,
 * a hash name or a hash tag. The message quotes the offending text.
 */
export class ConfigError extends DynoringError {
  override name = 'ConfigError';
  readonly kind = 'ConfigError' as const;
  /** File, line and column, when known. */
  readonly location: ConfigLocation;

  constructor(message: string, location: ConfigLocation = {}) {
    super(prefixLocation(message, location));
    this.location = location;
  }
}

function prefixLocation(message: string, loc: ConfigLocation): string {
  if (loc.file === undefined) return loc.line === undefined ? message : `line ${loc.line}: ${message}`;
  const where = loc.line === undefined ? loc.file : `${loc.file}:${loc.line}${loc.column === undefined ? '' : `:${loc.column}`}`;
  return `${where}: ${message}`;
}

/** Dispatch was asked of a continuum with no entries (a rack with no tokens). */
export class NoTargetsError extends DynoringError {
  override name = 'NoTargetsError';
  readonly kind = 'NoTargets' as const;

  constructor(
    readonly dc: string,
    readonly rack: string,
  ) {
    super(`no targets: rack '${rack}' in datacenter '${dc}' has no tokens, so no peer owns any token there`);
  }
}

/** A datacenter or rack name that the topology does not have. */
export class UnknownLocationError extends DynoringError {
  override name = 'UnknownLocationError';
  readonly kind = 'UnknownLocation' as const;

  constructor(
    message: string,
    readonly dc: string,
    readonly rack?: string,
  ) {
    super(message);
  }
}

/** The requested engine cannot be used (WebAssembly missing, or not ready yet). */
export class EngineError extends DynoringError {
  override name = 'EngineError';
  readonly kind = 'EngineUnavailable' as const;
}

/** Why a hint store refused an operation. */
export type HintStoreErrorKind = 'ZeroTtl' | 'EmptyPayload' | 'OverCapacity';

/**
 * A hint store refused `enqueue`. Nothing was stored; for `OverCapacity` the
 * rejection is counted in `stats().rejectedOverCapacityTotal`.
 */
export class HintStoreError extends DynoringError {
  override name = 'HintStoreError';

  constructor(
    readonly kind: HintStoreErrorKind,
    message: string,
    /** The cap in force, for `OverCapacity`. */
    readonly maxBytes?: number,
  ) {
    super(message);
  }
}
