import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../../src/hints/durable/crc32c.js';
import {
  encodeFileHeader,
  encodeRecord,
  fileHeaderProblem,
  lengthProblem,
  MAX_RECORD_BYTES,
  RECORD_HEADER_BYTES,
  recordDeadline,
  recordIntact,
  recordLength,
} from '../../../src/hints/durable/record-format.js';
import { bytes } from './helpers.js';

/** Bit-at-a-time CRC-32C: slow and obviously right. */
function crc32cReference(data: Uint8Array): number {
  let c = ~0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

describe('crc32c', () => {
  it('matches the published check value and the RFC 3720 vectors', () => {
    expect(crc32c(bytes('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('agrees with a bitwise reference on any bytes, and can be computed piecewise', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (data, cut) => {
        const at = data.length === 0 ? 0 : cut % (data.length + 1);
        const whole = crc32c(data);
        expect(whole).toBe(crc32cReference(data));
        expect(crc32c(data, at, data.length, crc32c(data, 0, at))).toBe(whole);
      }),
    );
  });
});

describe('record format', () => {
  it('round-trips a record and detects any single flipped bit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.double({ noNaN: true }), fc.nat(), (payload, deadline, bitSeed) => {
        const framed = encodeRecord(payload, deadline);
        const view = new DataView(framed.buffer);
        expect(recordLength(view, 0)).toBe(payload.length);
        expect(Object.is(recordDeadline(view, 0), deadline)).toBe(true);
        expect(framed.subarray(RECORD_HEADER_BYTES)).toEqual(payload);
        expect(recordIntact(framed, view, 0, payload.length)).toBe(true);
        const bit = bitSeed % (framed.length * 8);
        if (bit < 32) return; // a flipped length is caught by lengthProblem or the checksum, tested below
        framed[bit >> 3]! ^= 1 << (bit & 7);
        expect(recordIntact(framed, view, 0, payload.length)).toBe(false);
      }),
    );
  });

  it('catches a damaged length that still fits, through the checksum', () => {
    const framed = encodeRecord(bytes('hello world'), 1000);
    const view = new DataView(framed.buffer);
    view.setUint32(0, 5, true);
    expect(recordIntact(framed, view, 0, 5)).toBe(false);
  });

  it('refuses lengths of 0, over the format’s largest record, or past the end of the file', () => {
    expect(lengthProblem(0, 100)).toMatch(/length is 0/);
    expect(lengthProblem(MAX_RECORD_BYTES + 1, 2 * MAX_RECORD_BYTES)).toMatch(/exceeds the format's largest record/);
    expect(lengthProblem(MAX_RECORD_BYTES, MAX_RECORD_BYTES)).toBeNull();
    expect(lengthProblem(200, 100)).toMatch(/past the end of the file/);
    expect(lengthProblem(100, 100)).toBeNull();
  });

  it('accepts its own file header and explains every kind of bad one', () => {
    const header = encodeFileHeader(42);
    expect(fileHeaderProblem(header, 42)).toBeNull();
    expect(fileHeaderProblem(header, 7)).toMatch(/names peer 42/);
    expect(fileHeaderProblem(header.subarray(0, 10), 42)).toMatch(/torn/);
    const badMagic = header.slice();
    badMagic[0] = 0;
    expect(fileHeaderProblem(badMagic, 42)).toMatch(/magic/);
    const badVersion = header.slice();
    badVersion[8] = 9;
    expect(fileHeaderProblem(badVersion, 42)).toMatch(/version 9/);
  });
});
