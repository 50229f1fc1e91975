import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedMutex } from './keyed-mutex';

describe('KeyedMutex', () => {
  it('runs tasks for one key one at a time, in order', async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    let running = 0;
    const task = (name: string, ms: number) =>
      mutex.run('a', async () => {
        running += 1;
        expect(running).toBe(1);
        events.push(`start ${name}`);
        await sleep(ms);
        events.push(`end ${name}`);
        running -= 1;
        return name;
      });

    await expect(Promise.all([task('1', 20), task('2', 1), task('3', 5)])).resolves.toEqual(['1', '2', '3']);
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('runs tasks for different keys concurrently', async () => {
    const mutex = new KeyedMutex();
    let concurrent = 0;
    let peak = 0;
    const task = (key: string) =>
      mutex.run(key, async () => {
        concurrent += 1;
        peak = Math.max(peak, concurrent);
        await sleep(10);
        concurrent -= 1;
      });
    await Promise.all([task('a'), task('b'), task('c')]);
    expect(peak).toBe(3);
  });

  it('keeps going after a task fails and forgets idle keys', async () => {
    const mutex = new KeyedMutex();
    const failing = mutex.run('a', async () => {
      throw new Error('boom');
    });
    const next = mutex.run('a', async () => 'ok');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
    expect(mutex.activeKeys).toBe(0);
  });
});
