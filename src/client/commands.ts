/**
 * What a command is, for routing: where its keys are (from ioredis's own
 * command table, `@ioredis/commands`), whether Dynomite accepts it with these
 * arguments, how a multi-key command is split, and whether it may be retried.
 */
import { exists, getKeyIndexes, hasFlag } from '@ioredis/commands';
import { CommandRefusedError } from '../errors.js';

/** A command argument, as ioredis takes it. */
export type Arg = string | Buffer | number;

/**
 * How Dynomite's request parser (`src/proto/dyn_redis.c`, dev @2046b05)
 * reads a command's arguments. A command outside this table, or with an
 * argument count its shape does not allow, makes the server close the
 * connection, so the client refuses it first.
 * - `none`: no arguments; `upto1`: zero or one;
 * - `key0`..`key3`: a key then exactly 0-3 more arguments;
 * - `keyN`: a key then any number of arguments;
 * - `keys`: one or more keys (split by owner); `pairs`: key value pairs (split by owner);
 * - `eval`: script, numkeys, keys, arguments.
 */
type Shape = 'none' | 'upto1' | 'key0' | 'key1' | 'key2' | 'key3' | 'keyN' | 'keys' | 'pairs' | 'eval';

const SHAPES: Record<Shape, string> = {
  none: 'ping quit',
  upto1: 'info',
  key0: 'persist pttl ttl type dump decr get incr strlen hgetall hkeys hlen hvals llen lpop rpop scard smembers srandmember zcard keys pfcount',
  key1:
    'expire expireat pexpire pexpireat append decrby getbit getset incrby incrbyfloat setnx hexists hget lindex lpushx rpoplpush rpushx ' +
    'sismember zrank zrevrank zscore config',
  key2:
    'getrange psetex setbit setex setrange hincrby hincrbyfloat hset hsetnx lrange lrem lset ltrim smove zcount zincrby zlexcount ' +
    'zremrangebylex zremrangebyrank zremrangebyscore restore',
  key3: 'linsert',
  keyN:
    'sort bitcount set hdel hmget hmset lpush rpush sadd sdiff sdiffstore sinter sinterstore srem sunion sunionstore sscan spop ' +
    'zadd zinterstore zrange zrangebyscore zrem zrevrange zrangebylex zrevrangebylex zrevrangebyscore zunionstore zscan hscan ' +
    'pfadd geoadd georadius geodist geohash geopos georadiusbymember',
  keys: 'mget del exists',
  pairs: 'mset',
  eval: 'eval evalsha',
};

const SHAPE_OF = new Map<string, Shape>();
for (const [shape, names] of Object.entries(SHAPES) as [Shape, string][]) for (const n of names.split(' ')) SHAPE_OF.set(n, shape);

/**
 * Writes that leave the same data when applied twice as once, so a retry
 * after a lost reply cannot corrupt anything (their reply to the retry may
 * count less, e.g. DEL answering 0). Relative expiries (EXPIRE) and every
 * counter, list push or conditional write are left out: applying them twice
 * changes the data or the answer.
 */
const IDEMPOTENT_WRITES = new Set(
  (
    'set setex psetex mset del hset hmset hdel sadd srem zadd zrem expireat pexpireat persist setbit setrange lset pfadd geoadd ' +
    'sdiffstore sinterstore sunionstore zinterstore zunionstore'
  ).split(' '),
);

/** SET options that make the reply (or the write) depend on what was there. */
const CONDITIONAL_SET = new Set(['nx', 'xx', 'get']);

/** How a client routes one command. */
export type Routing =
  /** No key: any healthy node of the local rack. */
  | { kind: 'keyless' }
  /** Every key must have the same owners (one key, or a multi-key command Dynomite cannot split). */
  | { kind: 'keyed'; keys: readonly Arg[] }
  /** Split by owner and merged: MGET, DEL, EXISTS (`step` 1) or MSET (`step` 2). */
  | { kind: 'split'; keys: readonly Arg[]; step: 1 | 2 };

/** A command checked and classified, ready to route. */
export interface Classified {
  /** Lower-case name. */
  name: string;
  routing: Routing;
  /** May the command be sent again after a failure that does not prove it never arrived? */
  retrySafe: boolean;
}

const refuse = (name: string, why: string) =>
  new CommandRefusedError('UnsupportedCommand', name, `${name.toUpperCase()} cannot be sent through Dynomite: ${why}; nothing was sent`);

const SHAPE_RULES: Partial<Record<Shape, [test: (n: number) => boolean, words: string]>> = {
  none: [(n) => n === 0, 'takes no arguments'],
  upto1: [(n) => n <= 1, 'takes at most one argument'],
  key0: [(n) => n === 1, 'takes exactly one key and nothing else'],
  key1: [(n) => n === 2, 'takes exactly a key and one argument'],
  key2: [(n) => n === 3, 'takes exactly a key and two arguments'],
  key3: [(n) => n === 4, 'takes exactly a key and three arguments'],
  keyN: [(n) => n >= 1, 'takes a key first'],
  keys: [(n) => n >= 1, 'takes one or more keys'],
  pairs: [(n) => n >= 2 && n % 2 === 0, 'takes key value pairs'],
  eval: [(n) => n >= 2, 'takes a script, the number of keys, then keys and arguments'],
};

/**
 * Checks a command against what Dynomite accepts and finds its keys.
 *
 * @throws {CommandRefusedError} `UnsupportedCommand` naming the command and
 *   why, or `EmptyKey`.
 */
export function classify(command: string, args: readonly Arg[]): Classified {
  const info = INFO.get(command) ?? infoOf(command);
  const { name, shape } = info;
  const rule = SHAPE_RULES[shape]!;
  if (!rule[0](args.length)) {
    throw refuse(name, `Dynomite ${rule[1]} for it (it closes the connection otherwise), and ${args.length} argument(s) were given`);
  }
  let retrySafe = info.retrySafe;
  if (name === 'set' && args.length > 2 && args.some((a, i) => i > 1 && typeof a === 'string' && CONDITIONAL_SET.has(a.toLowerCase()))) {
    retrySafe = false;
  }
  if (shape === 'none' || shape === 'upto1') return { name, routing: KEYLESS, retrySafe: true };
  let keys: Arg[];
  if (shape === 'keys') keys = args as Arg[];
  else if (shape === 'pairs') keys = args.filter((_, i) => i % 2 === 0);
  else if (shape === 'eval' || shape === 'keyN') keys = getKeyIndexes(name, args as Arg[]).map((i) => args[i]!);
  else keys = info.keyless ? [] : [args[0]!];
  for (const k of keys) {
    if ((typeof k === 'string' || Buffer.isBuffer(k)) && k.length === 0) {
      throw new CommandRefusedError(
        'EmptyKey',
        name,
        `${name.toUpperCase()} has an empty key, which Dynomite refuses by closing the connection; nothing was sent`,
      );
    }
  }
  if (keys.length === 0) return { name, routing: KEYLESS, retrySafe };
  if (shape === 'keys' || shape === 'pairs') return { name, routing: { kind: 'split', keys, step: shape === 'pairs' ? 2 : 1 }, retrySafe };
  return { name, routing: { kind: 'keyed', keys }, retrySafe };
}

const KEYLESS: Routing = Object.freeze({ kind: 'keyless' });

/** What a command name says, looked up once per spelling. */
interface CommandInfo {
  name: string;
  shape: Shape;
  retrySafe: boolean;
  /** Shaped like a keyed command, but ioredis lists no key (KEYS' pattern, CONFIG's subcommand). */
  keyless: boolean;
}
const INFO = new Map<string, CommandInfo>();

function infoOf(command: string): CommandInfo {
  const name = command.toLowerCase();
  const shape = SHAPE_OF.get(name);
  if (shape === undefined) {
    if (name === 'scan')
      throw refuse(name, "a node's SCAN covers only its own data; use client.scanStream(), which scans every node of the rack");
    throw refuse(
      name,
      exists(name)
        ? 'Dynomite does not implement it and closes the connection when it sees it'
        : 'it is not a Redis command Dynomite knows (it closes the connection on unknown commands)',
    );
  }
  const info = {
    name,
    shape,
    retrySafe: hasFlag(name, 'readonly') || IDEMPOTENT_WRITES.has(name),
    keyless: name === 'keys' || name === 'config',
  };
  INFO.set(command, info);
  return info;
}

/** Every command name ioredis offers, for generating methods. */
export { list as COMMAND_NAMES } from '@ioredis/commands';
