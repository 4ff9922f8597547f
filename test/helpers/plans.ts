/** The small plans the planning tests start from. */

/** Two racks of one datacenter, each a full replica. */
export const TWO_RACKS = [
  { dc: 'dc1', rack: 'r1' },
  { dc: 'dc1', rack: 'r2' },
];

/** `n` hosts `${prefix}1` to `${prefix}n`, one per node. */
export const hosts = (n: number, prefix = '127.0.0.') => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
