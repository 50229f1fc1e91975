/**
 * An in-process async mutex per key: tasks for one key run one at a time, in arrival order;
 * tasks for different keys run concurrently. demo-core is a single process, so this is
 * enough to keep a document's version sequence free of repeats.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    // `done` only ever resolves, so a failed task never poisons the queue behind it.
    const tail = previous.then(() => done);
    this.tails.set(key, tail);
    try {
      await previous;
      return await task();
    } finally {
      release();
      // Drop the entry once nothing is queued behind us, so idle keys do not accumulate.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with a running or queued task (for tests and diagnostics). */
  get activeKeys(): number {
    return this.tails.size;
  }
}
