/**
 * The durable store's peer labels (`peers.json`): what each peer number
 * stood for, kept across restarts, replaced atomically, and never a reason
 * for opening to fail.
 */
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DurableHintStore } from '../../../src/durable.js';
import { HintStore } from '../../../src/index.js';
import { useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

async function open(dir: string) {
  const warnings: string[] = [];
  const store = await DurableHintStore.open(dir, { sync: 'always', onWarning: (m) => warnings.push(m) });
  return { store, warnings };
}

describe('peer labels', () => {
  it('are kept across a reopen, merged, and written as one small file', async () => {
    const dir = await tempDir();
    let { store } = await open(dir);
    expect(store.labelOf(0)).toBeUndefined();
    store.setLabels(
      new Map([
        [0, '127.0.0.1:7000'],
        [1, '127.0.0.1:7001'],
      ]),
    );
    store.setLabels(
      new Map([
        [1, '[::1]:7001'],
        [5, 'db5:6379'],
      ]),
    );
    await store.close();
    ({ store } = await open(dir));
    expect([0, 1, 2, 5].map((p) => store.labelOf(p))).toEqual(['127.0.0.1:7000', '[::1]:7001', undefined, 'db5:6379']);
    expect(JSON.parse(await readFile(join(dir, 'peers.json'), 'utf8'))).toEqual({
      format: 1,
      peers: { 0: '127.0.0.1:7000', 1: '[::1]:7001', 5: 'db5:6379' },
    });
    await store.close();
    expect((await readdir(dir)).sort()).toEqual(['peers.json']);
  });

  it('refuses bad labels, in both stores, recording none of them', async () => {
    const { store } = await open(await tempDir());
    const memory = new HintStore();
    const bad: Array<[unknown, RegExp]> = [
      [{ 0: 'a:1' }, /labels must be a Map/],
      [new Map([[-1, 'a:1']]), /peer must be a peer index/],
      [
        new Map([
          [0, 'a:1'],
          [1, ''],
        ]),
        /label of peer 1 must have 1 to 1024 characters, got 0/,
      ],
      [new Map([[0, 7]]), /label of peer 0 must be a string/],
      [new Map([[0, 'x'.repeat(1025)]]), /got 1025/],
    ];
    for (const [labels, message] of bad) {
      expect(() => store.setLabels(labels as Map<number, string>)).toThrow(message);
      expect(() => memory.setLabels(labels as Map<number, string>)).toThrow(message);
    }
    expect(store.labelOf(0)).toBeUndefined();
    expect(memory.labelOf(0)).toBeUndefined();
    await store.close();
    expect(() => store.setLabels(new Map([[0, 'a:1']]))).toThrow(expect.objectContaining({ name: 'DurableStoreError', kind: 'Closed' }));
  });

  it('opens with a warning and no labels when the file is damaged, and a later write replaces it', async () => {
    for (const content of [
      '{"format":1,"peers":{"0":"a:1"',
      '{"format":2,"peers":{}}',
      '{"format":1,"peers":{"01":"a:1"}}',
      '{"format":1,"peers":{"0":""}}',
      '{"format":1,"peers":["a:1"]}',
      'null',
    ]) {
      const dir = await tempDir();
      await writeFile(join(dir, 'peers.json'), content, { mode: 0o600 });
      const { store, warnings } = await open(dir);
      expect(store.labelOf(0)).toBeUndefined();
      expect(warnings, content).toEqual([expect.stringMatching(/peers\.json .*; started without peer labels/)]);
      store.setLabels(new Map([[0, 'b:2']]));
      await store.close();
      const again = await open(dir);
      expect(again.store.labelOf(0)).toBe('b:2');
      expect(again.warnings).toEqual([]);
      await again.store.close();
    }
  });

  it('deletes a temporary file a crash left', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'peers.json.tmp'), '{"format":1,"peers":{"0":"half:1"}}', { mode: 0o600 });
    const { store, warnings } = await open(dir);
    expect(store.labelOf(0)).toBeUndefined();
    expect(warnings).toEqual([]);
    expect(await readdir(dir)).not.toContain('peers.json.tmp');
    await store.close();
  });

  it('refuses to open over a peers.json the store did not write (a symlink, a directory), as over such a LOCK', async () => {
    const outside = join(await tempDir(), 'elsewhere.json');
    await writeFile(outside, '{"format":1,"peers":{"0":"planted:1"}}');
    for (const [what, plant] of [
      ['symlink', (path: string) => symlink(outside, path)],
      ['directory', (path: string) => mkdir(path)],
    ] as const) {
      const dir = await tempDir();
      await plant(join(dir, 'peers.json'));
      await expect(DurableHintStore.open(dir)).rejects.toMatchObject({
        name: 'DurableStoreError',
        kind: 'UnsafeDirectory',
        path: join(dir, 'peers.json'),
        message: expect.stringMatching(new RegExp(`is a ${what}, where the store keeps its peer labels: .*remove it`)),
      });
      expect(await readdir(dir)).toEqual(['peers.json']); // the lock was released
    }
    expect(await readFile(outside, 'utf8')).toContain('planted:1');
  });

  it('keeps the old labels when the write fails', async () => {
    const dir = await tempDir();
    const { store } = await open(dir);
    store.setLabels(new Map([[0, 'a:1']]));
    await mkdir(join(dir, 'peers.json.tmp')); // a directory where the temporary file goes: the write fails
    expect(() => store.setLabels(new Map([[0, 'b:2']]))).toThrow(/EISDIR|EPERM/);
    expect(store.labelOf(0)).toBe('a:1');
    await store.close();
  });
});
