import fc from 'fast-check';
import { expect, it } from 'vitest';
import { RecordIndex } from '../../../src/hints/durable/record-index.js';

type Op = { op: 'push'; length: number; deadline: number } | { op: 'remove'; pick: number } | { op: 'expire'; now: number };

const ops = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('push' as const), length: fc.integer({ min: 1, max: 50 }), deadline: fc.integer({ min: 0, max: 100 }) }),
    fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }),
    fc.record({ op: fc.constant('expire' as const), now: fc.integer({ min: -1, max: 110 }) }),
  ),
  { maxLength: 300 },
);

it('expires exactly the live entries that are due, whatever the order of pushes, removals and expiries', () => {
  fc.assert(
    fc.property(ops, (list: Op[]) => {
      const index = new RecordIndex();
      const model: Array<{ length: number; deadline: number; live: boolean }> = [];
      for (const step of list) {
        if (step.op === 'push') {
          index.push(model.length * 100, step.length, step.deadline);
          model.push({ length: step.length, deadline: step.deadline, live: true });
        } else if (step.op === 'remove') {
          if (model.length === 0) continue;
          const i = step.pick % model.length;
          expect(index.remove(i)).toBe(model[i]!.live ? model[i]!.length : 0);
          model[i]!.live = false;
        } else {
          const due = model.filter((e) => e.live && e.deadline <= step.now);
          const freed: number[] = [];
          expect(index.expire(step.now, (length) => freed.push(length))).toBe(due.length);
          expect(freed.sort((a, b) => a - b)).toEqual(due.map((e) => e.length).sort((a, b) => a - b));
          for (const e of due) e.live = false;
        }
        const live = model.filter((e) => e.live);
        expect(index.liveCount).toBe(live.length);
        expect(index.liveBytes).toBe(live.reduce((n, e) => n + e.length, 0));
        model.forEach((e, i) => expect(index.isLive(i)).toBe(e.live));
      }
    }),
    { numRuns: 300 },
  );
});

it('drops everything at Infinity and nothing at -Infinity', () => {
  const index = new RecordIndex();
  for (let i = 0; i < 100; i++) index.push(i, 1, 1e15 + i);
  expect(index.expire(-Infinity, () => undefined)).toBe(0);
  expect(index.expire(Infinity, () => undefined)).toBe(100);
  expect(index.liveCount).toBe(0);
});
