/** Unit tests of the hint bytes: ioredis's own encoding, the request name read back, and stored bytes written unchanged. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandBytes, requestName, StoredCommand } from '../../../src/client/coordinator/wire.js';

describe('hint bytes', () => {
  it('are the RESP request ioredis writes, binary arguments included', () => {
    const bytes = commandBytes('set', ['k', Buffer.from([0, 0xff, 13, 10]), 7]);
    expect(Buffer.from(bytes)).toEqual(
      Buffer.concat([Buffer.from('*4\r\n$3\r\nset\r\n$1\r\nk\r\n$4\r\n'), Buffer.from([0, 0xff, 13, 10]), Buffer.from('\r\n$1\r\n7\r\n')]),
    );
  });

  it('give back their command name, lower case, for any arguments', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('SET', 'set', 'Del', 'HSET', 'zadd'),
        fc.array(
          fc.oneof(
            fc.string(),
            fc.uint8Array().map((a) => Buffer.from(a)),
            fc.integer(),
          ),
        ),
        (name, args) => {
          expect(requestName(commandBytes(name, args))).toBe(name.toLowerCase());
        },
      ),
    );
  });

  it('refuses bytes that are not a request as ioredis encodes it', () => {
    for (const bad of ['', 'PING\r\n', '*1\r\n$x\r\nset\r\n', '+OK\r\n'])
      expect(() => requestName(Buffer.from(bad)), JSON.stringify(bad)).toThrow(TypeError);
  });

  it('replay through a StoredCommand that writes them unchanged, from a view into a larger buffer too', () => {
    const whole = Buffer.concat([Buffer.from('junk'), Buffer.from(commandBytes('lpush', ['q', 'x'])), Buffer.from('more')]);
    const view = whole.subarray(4, whole.length - 4);
    const command = new StoredCommand(new Uint8Array(view.buffer, view.byteOffset, view.length));
    expect(command.name).toBe('lpush');
    expect(command.toWritable()).toEqual(Buffer.from(commandBytes('lpush', ['q', 'x'])));
  });
});
