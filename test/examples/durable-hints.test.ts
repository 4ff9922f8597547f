import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { durableHintsDemo } from '../../examples/durable-hints.js';
import { useTempDirs } from '../hints/durable/helpers.js';

const tempDir = useTempDirs();

it('the README example keeps hints for a down peer across a restart and delivers them', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    const received = await durableHintsDemo(join(await tempDir(), 'hints'));
    expect(received).toEqual([
      'peer 0: SET user:1 ada',
      'peer 1: SET user:1 ada',
      'peer 0: SET user:2 grace',
      'peer 1: SET user:2 grace',
      'peer 2: SET user:1 ada',
      'peer 2: SET user:2 grace',
    ]);
    expect(log.mock.calls.map(([line]) => line)).toEqual(['hints waiting for peer 2: 2', 'delivered 2 hints to peer 2']);
  } finally {
    log.mockRestore();
  }
});
