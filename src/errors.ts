/**
 * Every error class of the library, in one module. Each is a
 * {@link DynoringError} whose `kind` is the machine-readable reason (the same
 * meaning on every class: what went wrong, never which class it is), and
 * whose message says what to change. Wrong argument types are built-in
 * `TypeError`/`RangeError`s. `docs/errors.md` has the table of every class and
 * kind.
 */
import type { CoverageIssue } from './ring/coverage.js';
import type { DrainResult } from './hints/hint.js';

/**
 * Every reason a dynoring error can carry, across all classes. A program can
 * switch on `err.kind` without first testing the class.
 */
export type DynoringErrorKind =
  | ConfigErrorKind
  | 'NoTargets'
  | 'UnknownLocation'
  | 'EngineUnavailable'
  | CoverageIssue['kind']
  | HintStoreErrorKind
  | 'DeliveryFailed'
  | 'SendTimeout'
  | DurableStoreErrorKind
  | 'Usage'
  | 'UnreadableFile'
  | TopologySourceErrorKind
  | PlanErrorKind
  | ClientErrorKind
  | QuorumErrorKind;

/** @internal What went wrong, from anything thrown or rejected with: an error's message, else the value as text. */
export function errorMessage(e: unknown): string {
  return String((e as Error | undefined)?.message ?? e);
}

/** Base class of every dynoring error. */
export class DynoringError extends Error {
  override name = 'DynoringError';

  constructor(
    /** Why it was thrown, machine-readable; the same meaning on every subclass. */
    readonly kind: DynoringErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
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
 * Why a configuration was refused: `InvalidConfig` is a value that is
 * malformed or out of range; `ConfigDrift` is files that each parse but
 * disagree about a peer or a setting (refused where one answer is needed, as
 * by `DynoClient`; the CLI reports drift as data); `HintsRenumbered` is a
 * refreshed topology that gives another node the number of a peer with hints
 * waiting (coordinator mode keeps hints by peer number).
 */
export type ConfigErrorKind = 'InvalidConfig' | 'ConfigDrift' | 'HintsRenumbered';

/**
 * A configuration value is wrong: a token, a seed string, a `dynomite.yml`,
 * a hash name or a hash tag. The message quotes the offending text.
 */
export class ConfigError extends DynoringError {
  override name = 'ConfigError';
  declare readonly kind: ConfigErrorKind;
  /** File, line and column, when known. */
  readonly location: ConfigLocation;

  constructor(message: string, location: ConfigLocation = {}, kind: ConfigErrorKind = 'InvalidConfig') {
    super(kind, prefixLocation(message, location));
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
  declare readonly kind: 'NoTargets';

  constructor(
    readonly dc: string,
    readonly rack: string,
  ) {
    super('NoTargets', `no targets: rack '${rack}' in datacenter '${dc}' has no tokens, so no peer owns any token there`);
  }
}

/** A datacenter or rack name that the topology does not have. */
export class UnknownLocationError extends DynoringError {
  override name = 'UnknownLocationError';
  declare readonly kind: 'UnknownLocation';

  constructor(
    message: string,
    readonly dc: string,
    readonly rack?: string,
  ) {
    super('UnknownLocation', message);
  }
}

/** The requested engine cannot be used (WebAssembly missing, or not ready yet). */
export class EngineError extends DynoringError {
  override name = 'EngineError';
  declare readonly kind: 'EngineUnavailable';

  constructor(message: string) {
    super('EngineUnavailable', message);
  }
}

/**
 * The token layout has a problem: `kind` is the problem's own kind
 * (`EmptyRack` or `Overlap`), and `issue` describes it.
 */
export class TokenCoverageError extends DynoringError {
  override name = 'TokenCoverageError';
  declare readonly kind: CoverageIssue['kind'];

  /** @param message the issue in words, from `describeCoverageIssue`. */
  constructor(
    readonly issue: CoverageIssue,
    message: string,
  ) {
    super(issue.kind, message);
  }
}

/** Why a hint store refused an operation. */
export type HintStoreErrorKind = 'ZeroTtl' | 'EmptyPayload' | 'OverCapacity';

/**
 * A hint store refused `enqueue`. Nothing was stored; for `OverCapacity` the
 * rejection is counted in `stats().rejectedOverCapacityTotal`.
 */
export class HintStoreError extends DynoringError {
  override name = 'HintStoreError';
  declare readonly kind: HintStoreErrorKind;

  constructor(
    kind: HintStoreErrorKind,
    message: string,
    /** The cap in force, for `OverCapacity`. */
    readonly maxBytes?: number,
  ) {
    super(kind, message);
  }
}

/**
 * `deliver` rejected during a `drain`: the hint it was given and every later
 * one are still stored, in order. `cause` is what `deliver` threw; `result`
 * says what the drain did before it.
 */
export class HintDeliveryError extends DynoringError {
  override name = 'HintDeliveryError';
  declare readonly kind: 'DeliveryFailed';

  constructor(
    override readonly cause: unknown,
    readonly result: DrainResult,
  ) {
    super('DeliveryFailed', `delivering a hint failed; ${result.left} hint(s) stay stored, in order: ${causeText(cause)}`, { cause });
  }
}

/** What `deliver` rejected with, in words; any value, even one `String()` cannot convert (`Object.create(null)`). */
function causeText(cause: unknown): string {
  try {
    const message = (cause as { message?: unknown } | null | undefined)?.message;
    return typeof message === 'string' ? message : String(cause);
  } catch {
    return `a value that cannot be printed (${typeof cause})`;
  }
}

/**
 * A `HintDrainer`'s send did not settle within `sendTimeoutMs`. It counts as
 * a failed send: the hint and the later ones stay stored, in order, with
 * their deadlines, and are offered again next round (the peer may have got
 * it after all: delivery is at-least-once).
 */
export class HintSendTimeoutError extends DynoringError {
  override name = 'HintSendTimeoutError';
  declare readonly kind: 'SendTimeout';

  constructor(
    /** The peer the send was for. */
    readonly peer: number,
    /** The timeout in force, in ms. */
    readonly timeoutMs: number,
  ) {
    super(
      'SendTimeout',
      `sending a hint to peer ${peer} did not settle within ${timeoutMs} ms; the hint stays stored and is retried next round; ` +
        'raise sendTimeoutMs if the peer is slow rather than stuck',
    );
  }
}

/**
 * Why a {@link DurableStoreError} was thrown:
 * - `Locked`: another live process (or another store in this process) owns the directory.
 * - `Closed`: the store was closed.
 * - `RecordTooLarge`: a payload is larger than `maxRecordBytes`, so replay would refuse it.
 * - `NotADirectory`: the path exists and is not a directory.
 * - `UnsafeDirectory`: the directory is not the store's alone (owned by another user, writable by group or
 *   others), or a file the store needs (`LOCK`, `peers.json`) is a symlink or not a regular file.
 */
export type DurableStoreErrorKind = 'Locked' | 'Closed' | 'RecordTooLarge' | 'NotADirectory' | 'UnsafeDirectory' | 'Damaged';

/**
 * A durable hint store refused an operation for a reason of its own (the
 * shared refusals `ZeroTtl`, `EmptyPayload` and `OverCapacity` are
 * `HintStoreError`s, as with the in-memory store). I/O failures are passed
 * through as Node's own errors (`ENOSPC`, `EACCES`, ...).
 */
export class DurableStoreError extends DynoringError {
  override name = 'DurableStoreError';
  declare readonly kind: DurableStoreErrorKind;

  constructor(
    kind: DurableStoreErrorKind,
    message: string,
    /** The file or directory concerned, when there is one. */
    readonly path?: string,
  ) {
    super(kind, message);
  }
}

/** @internal The one wording of a closed durable store: its own calls, and `DynoClient.connect` given it. */
export function storeClosed(dir: string): DurableStoreError {
  return new DurableStoreError('Closed', `hint store ${dir} is closed; open it again (DurableHintStore.open) and use the new one`, dir);
}

/**
 * @internal The command line itself is wrong: unknown command or option,
 * missing argument. The CLI prints it with the usage and exits 2.
 */
export class UsageError extends DynoringError {
  override name = 'UsageError';
  declare readonly kind: 'Usage';

  /** @param command The command whose usage applies, when known. */
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super('Usage', message);
  }
}

/** @internal A file the CLI was given cannot be read (missing, a directory, no permission). */
export class InputError extends DynoringError {
  override name = 'InputError';
  declare readonly kind: 'UnreadableFile';

  constructor(
    message: string,
    readonly file: string,
  ) {
    super('UnreadableFile', message);
  }
}

/**
 * Why a {@link DynoClient} call failed:
 * - `UnsupportedCommand`: Dynomite does not accept the command, or not with
 *   these arguments (it closes the connection on them); nothing was sent.
 * - `KeysOnDifferentNodes`: a multi-key command Dynomite cannot split has
 *   keys with different owners (the server would answer wrongly); nothing was sent.
 * - `EmptyHashTag`: a key's hash tag is empty (`x{}1`), which crashes the
 *   coordinating node on a cluster of two or more racks; nothing was sent.
 * - `EmptyKey`: a zero-length key, which Dynomite refuses by closing the connection; nothing was sent.
 * - `NoNodeAvailable`: every candidate node is down or failed retryably.
 * - `CommandTimeout`: the last attempt got no reply within `commandTimeoutMs`.
 * - `MaybeApplied`: a non-idempotent write lost its connection or timed out
 *   after it was sent; it may have been applied, so it was not retried.
 * - `ServerError`: the server answered an error that retrying cannot fix
 *   (WRONGTYPE, a syntax error, ...); the node is not counted as failing.
 * - `ConnectFailed`: `connect` could not reach any node of the local rack.
 * - `ClientClosed`: the client was closed with `quit()` or `disconnect()`.
 */
export type ClientErrorKind =
  | 'UnsupportedCommand'
  | 'KeysOnDifferentNodes'
  | 'EmptyHashTag'
  | 'EmptyKey'
  | 'NoNodeAvailable'
  | 'CommandTimeout'
  | 'MaybeApplied'
  | 'ServerError'
  | 'ConnectFailed'
  | 'ClientClosed';

/** The node a client error concerns, as `nodeFor` describes it. */
export interface ClientNodeRef {
  readonly index: number;
  readonly dc: string;
  readonly rack: string;
  readonly host: string;
  readonly port: number;
}

/** One attempt of a failed command: the node tried and why it failed. */
export interface FailedAttempt {
  readonly node: ClientNodeRef;
  /** `refused`, `notConnected`, `closed`, `timeout` or `transport` (a Dynomite `-ERR Peer/Storage/Dynomite` reply). */
  readonly reason: string;
  readonly message: string;
}

/**
 * A {@link DynoClient} refused a command before sending anything: the kind
 * says why (`UnsupportedCommand`, `KeysOnDifferentNodes`, `EmptyHashTag`,
 * `EmptyKey`, `ClientClosed`).
 */
export class CommandRefusedError extends DynoringError {
  override name = 'CommandRefusedError';
  declare readonly kind: Extract<
    ClientErrorKind,
    'UnsupportedCommand' | 'KeysOnDifferentNodes' | 'EmptyHashTag' | 'EmptyKey' | 'ClientClosed'
  >;

  constructor(
    kind: CommandRefusedError['kind'],
    /** The command, lower case. */
    readonly command: string,
    message: string,
  ) {
    super(kind, message);
  }
}

/**
 * A command was sent and did not succeed on any node it was allowed to try:
 * `NoNodeAvailable`, `CommandTimeout` or `MaybeApplied`. `attempts` lists
 * every node tried, in order, and why each failed.
 */
export class CommandFailedError extends DynoringError {
  override name = 'CommandFailedError';
  declare readonly kind: Extract<ClientErrorKind, 'NoNodeAvailable' | 'CommandTimeout' | 'MaybeApplied'>;

  constructor(
    kind: CommandFailedError['kind'],
    readonly command: string,
    readonly attempts: readonly FailedAttempt[],
    message: string,
  ) {
    super(kind, message);
  }
}

/**
 * The server answered the command with an error that is not a Dynomite
 * transport failure (WRONGTYPE, a syntax error, ...). `message` is the
 * server's own text; the node is not counted as failing and nothing is retried.
 */
export class ServerReplyError extends DynoringError {
  override name = 'ServerReplyError';
  declare readonly kind: 'ServerError';

  constructor(
    message: string,
    readonly command: string,
    readonly node: ClientNodeRef,
  ) {
    super('ServerError', message);
  }
}

/** `DynoClient.connect` could not start: no node of the local rack answered. `attempts` says why, node by node. */
export class ClientConnectError extends DynoringError {
  override name = 'ClientConnectError';
  declare readonly kind: 'ConnectFailed';

  constructor(
    message: string,
    readonly attempts: readonly FailedAttempt[],
  ) {
    super('ConnectFailed', message);
  }
}

/**
 * Why a topology source could not be read:
 * - `SourceUnreachable`: the connection was refused or reset, or the host name did not resolve.
 * - `SourceTimeout`: no complete reply within the timeout.
 * - `SourceBadReply`: the reply is not a complete HTTP response, or its status is not 200.
 */
export type TopologySourceErrorKind = 'SourceUnreachable' | 'SourceTimeout' | 'SourceBadReply';

/**
 * Reading a live topology source (a node's admin port, a seeds server, Dynomite
 * Manager) failed on the way: network or HTTP. A body that arrived but is
 * malformed is a {@link ConfigError} instead.
 */
export class TopologySourceError extends DynoringError {
  override name = 'TopologySourceError';
  declare readonly kind: TopologySourceErrorKind;
  /** The HTTP status, for a reply that had one. */
  readonly status?: number;

  constructor(
    kind: TopologySourceErrorKind,
    message: string,
    /** The URL requested (base and path). */
    readonly url: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(kind, message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.status !== undefined) this.status = options.status;
  }
}

/**
 * Why a coordinator-mode read or write missed its consistency level:
 * - `QuorumNotReached`: too few of the local datacenter's racks answered
 *   (down, timed out, hint refused with `OverCapacity`, or an error reply).
 *   The replicas a write did reach keep it: nothing is rolled back.
 * - `QuorumMismatch`: a `DC_SAFE_QUORUM` read got replies from a quorum of
 *   racks, but no quorum of them agrees.
 */
export type QuorumErrorKind = 'QuorumNotReached' | 'QuorumMismatch';

/** One local rack's part in a coordinator-mode command, as a {@link QuorumError} reports it. */
export interface RackOutcome {
  readonly rack: string;
  /** Peer index of the key's owner in that rack. */
  readonly peer: number;
  /** `acked` (answered), or why not: `hinted`, `refused` (the hint store said no), `error` (an error reply), `unreachable`. */
  readonly outcome: 'acked' | 'hinted' | 'refused' | 'error' | 'unreachable';
  /** What went wrong, for an outcome other than `acked`. */
  readonly message?: string;
}

/**
 * A coordinator-mode command (`nodes: 'redis'`) missed its consistency level.
 * `answered` and `missing` name the local racks on each side; a write stays
 * applied on the racks in `answered`, and the others get it from their hints.
 */
export class QuorumError extends DynoringError {
  override name = 'QuorumError';
  declare readonly kind: QuorumErrorKind;

  constructor(
    kind: QuorumErrorKind,
    message: string,
    /** The command, lower case. */
    readonly command: string,
    /** The consistency level it was held to. */
    readonly level: string,
    /** Racks that had to agree. */
    readonly needed: number,
    /** Racks that answered. */
    readonly answered: readonly RackOutcome[],
    /** Racks that did not (or, for `QuorumMismatch`, nothing: every rack answered). */
    readonly missing: readonly RackOutcome[],
  ) {
    super(kind, message);
  }
}

/**
 * Why a token plan cannot be made:
 * - `HostCount`: the hosts given do not match the nodes to place (one host per new node).
 * - `DuplicateEndpoint`: two nodes of the plan would listen on the same host:port.
 * - `UnknownNode`: the node named is not in the cluster.
 * - `MultipleTokens`: a node has several tokens; planning places one token per node, as the server expects.
 * - `NoRoom`: a range is too short to take another token (fewer than 2 tokens wide).
 * - `LastNodeInRack`: removing the node would leave its rack with no tokens.
 * - `NotEmpty`: the output directory already holds `.yml` files.
 */
export type PlanErrorKind = 'HostCount' | 'DuplicateEndpoint' | 'UnknownNode' | 'MultipleTokens' | 'NoRoom' | 'LastNodeInRack' | 'NotEmpty';

/** A plan (`planNew`, `planDouble`, `planAdd`, `planRemove`, `planReplace`) was refused; nothing was written. */
export class PlanError extends DynoringError {
  override name = 'PlanError';
  declare readonly kind: PlanErrorKind;

  constructor(kind: PlanErrorKind, message: string) {
    super(kind, message);
  }
}
