import { describe, expect, it } from 'vitest';
import { JobQueue } from '../../src/engine/queue';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('JobQueue', () => {
  it('runs one job at a time, in order', async () => {
    const q = new JobQueue();
    const log: string[] = [];
    let release!: () => void;
    const a = q.submit(async () => {
      log.push('a start');
      await new Promise<void>((r) => (release = r));
      log.push('a end');
      return 1;
    });
    const b = q.submit(async () => {
      log.push('b start');
      return 2;
    });
    await tick();
    expect(log).toEqual(['a start']);
    expect(q.pending).toBe(2);
    release();
    expect(await a.result).toBe(1);
    expect(await b.result).toBe(2);
    expect(log).toEqual(['a start', 'a end', 'b start']);
  });

  it('cancels a waiting job before it starts and a running job through its signal', async () => {
    const q = new JobQueue();
    let steps = 0;
    const running = q.submit(async (signal) => {
      for (;;) {
        signal.throwIfAborted();
        steps++;
        await tick();
      }
    });
    let waitingStarted = false;
    const waiting = q.submit(async () => {
      waitingStarted = true;
    });
    await tick();
    expect(q.cancel(waiting.id)).toBe(true);
    expect(q.cancel(running.id)).toBe(true);
    const before = steps;
    await expect(running.result).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(waiting.result).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(steps - before).toBeLessThanOrEqual(1); // stops within one step
    expect(waitingStarted).toBe(false);
    expect(q.cancel(12345)).toBe(false);
  });

  it('a failing job rejects alone and the queue keeps going', async () => {
    const q = new JobQueue();
    const bad = q.submit(async () => {
      throw new Error('boom');
    });
    const good = q.submit(async () => 'fine');
    await expect(bad.result).rejects.toThrow('boom');
    expect(await good.result).toBe('fine');
    expect(q.pending).toBe(0);
  });
});
