/** CRC-16/XMODEM table (polynomial 0x1021, MSB first), built once. */
const TABLE = buildTable();

function buildTable(): Uint16Array {
  const t = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1;
    t[n] = c;
  }
  return t;
}

/** Dynomite's `crc16`: CRC-16/XMODEM steps over a 32-bit register. */
export function hashCrc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    // Quirk: the register is a uint32_t never masked to 16 bits, so old bits shift up into the token.
    crc = (crc << 8) ^ TABLE[((crc >>> 8) ^ bytes[i]!) & 0xff]!;
  }
  return crc >>> 0;
}
