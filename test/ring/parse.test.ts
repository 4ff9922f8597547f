import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatSeed, parseSeed, parseToken } from '../../src/index.js';
import { makePeer } from '../../src/ring/peer.js';
import { seedFields } from './peers.js';

describe('parseToken', () => {
  it('accepts decimal u32 text and integers', () => {
    expect(parseToken('0')).toBe(0);
    expect(parseToken('1383429731')).toBe(1383429731);
    expect(parseToken('4294967295')).toBe(4294967295);
    expect(parseToken('007')).toBe(7);
    expect(parseToken(4294967295)).toBe(4294967295);
  });

  it.each(['', '-1', '+1', '1.5', '0x10', '1e3', '12 34', ' 1', '4294967296', '99999999999999999999', 'abc'])(
    'refuses %j with a ConfigError quoting it',
    (text) => {
      expect(() => parseToken(text)).toThrow(ConfigError);
      expect(() => parseToken(text)).toThrow(`'${text}'`);
    },
  );

  it.each([-1, 1.5, NaN, Infinity, 4294967296])('refuses the number %s', (n) => {
    expect(() => parseToken(n)).toThrow(ConfigError);
  });
});

describe('parseSeed', () => {
  it('splits host:port:rack:dc:tokens from the right', () => {
    const p = parseSeed('127.0.0.2:8101:rack1:dc1:1383429731', 3);
    expect(p).toEqual({
      index: 3,
      endpoint: { host: '127.0.0.2', port: 8101 },
      rack: 'rack1',
      dc: 'dc1',
      tokens: [1383429731],
      isLocal: false,
      isSameDc: false,
      isSecure: false,
    });
  });

  it('reads a token list, a name, and an IPv6 host', () => {
    const p = parseSeed('::1:8101:r:d:1,2,3 node-a', 0, { isLocal: true });
    expect(p.endpoint).toEqual({ host: '::1', port: 8101 });
    expect(p.tokens).toEqual([1, 2, 3]);
    expect(p.name).toBe('node-a');
    expect(p.isLocal).toBe(true);
  });

  it.each([
    ['host:8101:rack:dc', 'five fields'],
    ['host:8101:rack:dc:', 'no token'],
    ['host:x:rack:dc:1', "port 'x'"],
    ['host:70000:rack:dc:1', "port '70000'"],
    [':8101:rack:dc:1', 'host is empty'],
    ['h:8101::dc:1', 'rack is empty'],
    ['h:8101:r::1', 'datacenter is empty'],
    ['h:8101:r:d:4294967296', "'4294967296'"],
    ['h:8101:r:d:1,,2', 'invalid token'],
  ])('refuses %j, naming the wrong part', (text, part) => {
    expect(() => parseSeed(text, 0)).toThrow(ConfigError);
    expect(() => parseSeed(text, 0)).toThrow(part);
  });

  it('refuses a bad index with a RangeError', () => {
    expect(() => parseSeed('h:1:r:d:1', -1)).toThrow(RangeError);
  });
});

describe('formatSeed', () => {
  it('is the inverse of parseSeed, IPv6 hosts and token lists included', () => {
    fc.assert(
      fc.property(fc.nat(), seedFields({ minLength: 1, maxLength: 4 }), (index, { host, port, rack, dc, tokens }) => {
        const p = makePeer({ index, endpoint: { host, port }, rack, dc, tokens });
        const text = formatSeed(p);
        expect(text).toBe(`${host}:${port}:${rack}:${dc}:${tokens.join(',')}`);
        expect(parseSeed(text, index)).toEqual(p);
      }),
    );
  });

  it('refuses what a seed cannot carry, naming the peer and the field', () => {
    const p = parseSeed('10.0.0.1:8101:r1:dc1:0', 3);
    expect(() => formatSeed({ ...p, tokens: [] })).toThrow(/^peer 3: has no tokens/);
    expect(() => formatSeed({ ...p, rack: 'a:b' })).toThrow(/^peer 3: rack 'a:b' cannot be written: .* or ':'$/);
    expect(() => formatSeed({ ...p, dc: '' })).toThrow(ConfigError);
    expect(() => formatSeed({ ...p, endpoint: { host: 'a b', port: 1 } })).toThrow(/host 'a b' cannot be written/);
    expect(() => formatSeed({ ...p, endpoint: { host: 'a|b', port: 1 } })).toThrow(/host 'a\|b' cannot be written/);
  });
});
