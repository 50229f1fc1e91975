import type { Telemetry } from './start-telemetry';

/** Anything that can be closed: a Nest application or application context. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * On SIGTERM or SIGINT: stop taking work, let in-flight requests and jobs finish (`close()`),
 * flush telemetry last, exit 0. If that takes longer than `graceMs`, exit 1 anyway so an
 * orchestrator never waits on a stuck process.
 *
 * Install it before the application starts (pass the promise of it): a worker may take a job
 * while it is still starting, and a SIGTERM in that moment must wait for the job too.
 */
export function installGracefulShutdown(
  app: Closable | Promise<Closable>,
  options: { graceMs: number; telemetry: Telemetry; log?: (message: string) => void },
): void {
  const log =
    options.log ??
    ((message: string) =>
      process.stdout.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: message })}\n`));
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    log(`${signal} received: finishing in-flight work (up to ${options.graceMs} ms)`);
    setTimeout(() => {
      log(`shutdown did not finish within ${options.graceMs} ms: exiting`);
      process.exit(1);
    }, options.graceMs).unref();
    Promise.resolve(app)
      .then((started) => started.close())
      .then(() => options.telemetry.shutdown())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
