import { expect, it, vi } from 'vitest';
import { hintedHandoffDemo } from '../../examples/hinted-handoff.js';

it('the README example records hints for a down peer and replays them in order', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const { received, delivered } = await hintedHandoffDemo();
  expect(delivered).toBe(2);
  for (const peer of [0, 1, 2]) expect(received.get(peer)).toEqual(['SET user:1 ada', 'SET user:2 grace']);
  expect(log.mock.calls.map(([line]) => line)).toEqual([
    'hints waiting for peer 2: 2',
    'replayed a hint to peer 2',
    'replayed a hint to peer 2',
  ]);
  log.mockRestore();
});
