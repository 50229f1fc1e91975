import { FaultInjector, FaultMode } from './fault-injector';

describe('FaultInjector', () => {
  it('applies no fault by default', () => {
    expect(new FaultInjector().take('GET', '/core/v1/files/a')).toBeUndefined();
  });

  it('applies a fault to every request until it is switched off', () => {
    const faults = new FaultInjector();
    faults.set({ mode: FaultMode.Error, status: 503 });
    expect(faults.take('GET', '/core/v1/files/a')).toEqual({ mode: FaultMode.Error, delayMs: 0, status: 503 });
    expect(faults.take('PUT', '/core/v1/files/a/content')).toEqual(expect.objectContaining({ mode: FaultMode.Error }));
    faults.set({ mode: FaultMode.None });
    expect(faults.take('GET', '/core/v1/files/a')).toBeUndefined();
  });

  it('defaults an error to 500 and a slow answer to one second', () => {
    const faults = new FaultInjector();
    expect(faults.set({ mode: FaultMode.Error }).status).toBe(500);
    expect(faults.set({ mode: FaultMode.Slow }).delayMs).toBe(1000);
    expect(faults.set({ mode: FaultMode.Hang }).delayMs).toBe(0);
  });

  it('hands answer faults their parameters, with a one-byte error and a default cut-off', () => {
    const faults = new FaultInjector();
    expect(faults.set({ mode: FaultMode.WrongLength }).lengthDelta).toBe(1);
    faults.set({ mode: FaultMode.WrongLength, lengthDelta: -3 });
    expect(faults.take('GET', '/x')).toEqual(expect.objectContaining({ mode: FaultMode.WrongLength, lengthDelta: -3 }));
    faults.set({ mode: FaultMode.Truncate, truncateAfterBytes: 10 });
    expect(faults.take('GET', '/x')).toEqual(expect.objectContaining({ truncateAfterBytes: 10 }));
    expect(faults.set({ mode: FaultMode.Truncate }).truncateAfterBytes).toBeUndefined();
  });

  it('counts down `remaining` and then switches itself off', () => {
    const faults = new FaultInjector();
    faults.set({ mode: FaultMode.Reset, remaining: 2 });
    expect(faults.take('GET', '/x')).toBeDefined();
    expect(faults.current().remaining).toBe(1);
    expect(faults.take('GET', '/x')).toBeDefined();
    expect(faults.current().mode).toBe(FaultMode.None);
    expect(faults.take('GET', '/x')).toBeUndefined();
  });

  it('filters by path and method without counting requests it skips', () => {
    const faults = new FaultInjector();
    faults.set({ mode: FaultMode.Hang, paths: '/content$', methods: ['put'], remaining: 1 });
    expect(faults.take('GET', '/core/v1/files/a/content')).toBeUndefined();
    expect(faults.take('PUT', '/core/v1/files/a')).toBeUndefined();
    expect(faults.current().remaining).toBe(1);
    expect(faults.take('PUT', '/core/v1/files/a/content')).toEqual(expect.objectContaining({ mode: FaultMode.Hang }));
  });

  it('refuses a path filter that is not a regular expression, keeping the previous fault', () => {
    const faults = new FaultInjector();
    faults.set({ mode: FaultMode.Slow });
    expect(() => faults.set({ mode: FaultMode.Error, paths: '(' })).toThrow(SyntaxError);
    expect(faults.current().mode).toBe(FaultMode.Slow);
  });
});
