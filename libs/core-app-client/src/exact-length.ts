import { pipeline, type Readable, Transform } from 'node:stream';
import { CoreAppError, CoreAppErrorKind } from './core-app.error';

/**
 * The core app's body, passed through unchanged, that fails (an error, never an end) as soon as it
 * turns out not to be exactly `sizeBytes` long: a response streamed on from it is then cut off, so
 * its reader sees an incomplete body instead of a complete-looking short or padded file.
 */
const STAGE_BYTES = 256 * 1024;

export function exactLength(source: Readable, sizeBytes: number): Readable {
  let seenBytes = 0;
  const checked = new Transform({
    // Larger than the 16 KiB default: the body crosses two sockets and this stage, and with small
    // buffers each hop waits on the next more often (GetFile ran at ~60-80 % of reading the core
    // app directly). Both sides buffer this much, so a slow reader holds at most twice it: a fixed
    // bound per download whatever the file's size, and small enough that many slow downloads at
    // once cannot pin much memory.
    highWaterMark: STAGE_BYTES,
    transform(chunk: Buffer, _encoding, done) {
      seenBytes += chunk.length;
      if (seenBytes > sizeBytes) done(lengthMismatch(`more than the ${sizeBytes} bytes announced`));
      else done(null, chunk);
    },
    flush(done) {
      done(seenBytes === sizeBytes ? null : lengthMismatch(`${seenBytes} of the ${sizeBytes} bytes announced`));
    },
  });
  // Either side failing or closing early ends both: the core-app socket is never left half-read.
  pipeline(source, checked, () => undefined);
  return checked;
}

function lengthMismatch(what: string): CoreAppError {
  return new CoreAppError(CoreAppErrorKind.BadResponse, `core app sent content of the wrong length: ${what}`);
}
