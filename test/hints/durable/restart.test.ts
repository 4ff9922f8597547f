import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DurableHintStore } from '../../../src/durable.js';
import { bytes, requireBundle, runScript, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
beforeAll(requireBundle);

describe('restart', () => {
  it('delivers in a new process every hint written before close, in order, honouring deadlines', async () => {
    const dir = join(await tempDir(), 'hints');
    const t0 = Date.now();
    const store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'batch', now: () => t0, segmentBytes: 512 });
    const written: Array<{ peer: number; payload: string; deadline: number }> = [];
    const pending: Array<Promise<void>> = [];
    for (let i = 0; i < 200; i++) {
      const peer = i % 4;
      const ttl = i % 5 === 0 ? 1_000 : 3_600_000; // every fifth is due by the time the new process reads it
      const payload = `request ${i} for peer ${peer}`;
      written.push({ peer, payload, deadline: t0 + ttl });
      pending.push(store.enqueue(peer, bytes(payload), ttl));
    }
    await Promise.all(pending);
    await store.close();

    // The child's clock runs 60 s ahead of ours: the 1 s hints are due, the 1 h ones are not.
    const offset = t0 - Date.now() + 60_000;
    const { code, stdout, stderr } = await runScript('./restart-child.mjs', [dir, String(offset)]);
    expect(code, stderr).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const { stats } = lines.pop();
    const alive = written.filter((h) => h.deadline > t0 + 60_000);
    expect(alive).toHaveLength(160);
    expect(lines).toEqual([0, 1, 2, 3].flatMap((peer) => alive.filter((h) => h.peer === peer)));
    expect(stats).toMatchObject({ replayedHints: 160, expiredTotal: 40, hintCount: 0, corruptFiles: 0 });
    expect((await readdir(dir)).filter((n) => n.endsWith('.log'))).toEqual([]);
  });
});
