/**
 * Deadlines: the one timer per connection that times commands out (in place
 * of ioredis's timer per command), on real ioredis Commands.
 */
import { Command } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { Deadlines, TIMED_OUT } from '../../src/client/deadlines.js';

describe('Deadlines', () => {
  it('fails the commands still unanswered at their deadline, a pipeline together, as ioredis fails a timed-out command', async () => {
    const deadlines = new Deadlines(20);
    const answered = new Command('get', ['a'], { replyEncoding: 'utf8' });
    const single = new Command('get', ['b']);
    const piped = [new Command('set', ['c', '1']), new Command('get', ['c'])];
    const settled = Promise.allSettled([answered.promise, single.promise, ...piped.map((c) => c.promise)]);
    deadlines.add(answered);
    deadlines.add(single);
    deadlines.add(piped);
    answered.resolve(Buffer.from('x'));
    piped[0]!.resolve('OK');
    const [a, b, c, d] = await settled;
    expect(a).toEqual({ status: 'fulfilled', value: 'x' });
    expect(b).toMatchObject({ status: 'rejected', reason: { message: TIMED_OUT } });
    // The pipeline's answered command keeps its reply; the other one times out.
    expect(c).toEqual({ status: 'fulfilled', value: 'OK' });
    expect(d).toMatchObject({ status: 'rejected', reason: { message: TIMED_OUT } });
    deadlines.clear();
  });

  it('leaves an entry marked done alone, and keeps timing out commands added after the timer fired', async () => {
    const deadlines = new Deadlines(10);
    const done = new Command('get', ['a']);
    deadlines.add(done).done = true;
    const late = new Command('get', ['b']);
    const first = new Command('get', ['c']);
    deadlines.add(first);
    await expect(first.promise).rejects.toThrow(TIMED_OUT);
    deadlines.add(late);
    await expect(late.promise).rejects.toThrow(TIMED_OUT);
    // Never rejected: its promise is still pending when resolved now.
    done.resolve('v');
    await expect(done.promise).resolves.toBe('v');
    deadlines.clear();
  });
});
