/**
 * The bytes of a hint: a command exactly as ioredis writes it on the wire,
 * produced by ioredis's own `Command` (no RESP written here), and a `Command`
 * that writes stored bytes back unchanged, so a hint replays through the same
 * connection, command queue and reply parser as a live write.
 */
import { Command } from 'ioredis';
import type { Arg } from '../commands.js';

/** The RESP request ioredis sends for `name args...`, as bytes. */
export function commandBytes(name: string, args: readonly Arg[]): Uint8Array {
  const writable = new Command(name, args as Arg[]).toWritable(undefined as never);
  return typeof writable === 'string' ? Buffer.from(writable, 'utf8') : writable;
}

/**
 * The command name in a request ioredis encoded (`*N\r\n$L\r\nNAME\r\n...`),
 * lower case; ioredis needs it to pick the reply handling.
 */
export function requestName(payload: Uint8Array): string {
  const head = Buffer.from(payload.buffer, payload.byteOffset, payload.length);
  const lengthAt = head.indexOf('\r\n$') + 3;
  const nameAt = head.indexOf('\r\n', lengthAt) + 2;
  const length = Number(head.toString('latin1', lengthAt, nameAt - 2));
  if (lengthAt < 3 || nameAt < 2 || !Number.isSafeInteger(length)) {
    throw new TypeError('a hint payload must be a RESP request as ioredis encodes it (*N, then $L NAME)');
  }
  return head.toString('latin1', nameAt, nameAt + length).toLowerCase();
}

/** An ioredis command that writes `payload` as it is: a stored request replayed. */
export class StoredCommand extends Command {
  private readonly bytes: Buffer;

  constructor(payload: Uint8Array) {
    super(requestName(payload), []);
    this.bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.length);
  }

  override toWritable(): Buffer {
    return this.bytes;
  }
}
