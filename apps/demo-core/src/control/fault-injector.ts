/** What demo-core does to a request a fault applies to (after `delayMs`). */
export enum FaultMode {
  /** No fault: every request is answered normally. */
  None = 'none',
  /** Answer normally, late. */
  Slow = 'slow',
  /** Answer `status` (default 500) with an `injected_fault` error body. */
  Error = 'error',
  /** Never answer; the connection stays open until the client closes it. */
  Hang = 'hang',
  /** Reset the TCP connection without an answer. */
  Reset = 'reset',
  /** Answer with the body gzip-compressed (`Content-Encoding: gzip`, chunked), asked for or not. */
  Gzip = 'gzip',
  /** Answer with a `Content-Length` `lengthDelta` bytes off the body, then close the connection. */
  WrongLength = 'wrong-length',
  /** Answer with the right headers, then cut the connection after `truncateAfterBytes` of the body. */
  Truncate = 'truncate',
}

/** Modes that let the request be handled and change how its answer goes out (FaultInjectionHook.onSend). */
export const ANSWER_FAULTS: ReadonlySet<FaultMode> = new Set([
  FaultMode.Gzip,
  FaultMode.WrongLength,
  FaultMode.Truncate,
]);

/** A fault as set through PUT /_control/fault. */
export interface FaultSpec {
  readonly mode: FaultMode;
  /** Wait this long before acting (for `slow`, the whole point). */
  readonly delayMs?: number;
  /** For `error`: the status to answer, 400-599. */
  readonly status?: number;
  /** For `wrong-length`: announced minus actual body size (default 1; may be negative, never 0). */
  readonly lengthDelta?: number;
  /** For `truncate`: bytes of the body sent before the cut (default: half of it). */
  readonly truncateAfterBytes?: number;
  /** A regular expression the request path must match; unset: every contract route. */
  readonly paths?: string;
  /** Methods the fault applies to; unset: all. */
  readonly methods?: readonly string[];
  /** How many requests to apply it to before it switches itself off; unset: until changed. */
  readonly remaining?: number;
}

/** The fault a request gets. */
export interface AppliedFault {
  readonly mode: Exclude<FaultMode, FaultMode.None>;
  readonly delayMs: number;
  readonly status: number;
  readonly lengthDelta?: number;
  readonly truncateAfterBytes?: number;
}

/** The current setting, as GET/PUT /_control/fault report it. */
export interface FaultView {
  readonly mode: FaultMode;
  readonly delayMs: number;
  readonly status: number;
  readonly lengthDelta?: number;
  readonly truncateAfterBytes?: number;
  readonly paths: string | null;
  readonly methods: readonly string[] | null;
  /** null: unlimited. */
  readonly remaining: number | null;
}

// 1 s: slow enough to trip a short timeout, short enough for a test to sit through.
const DEFAULT_SLOW_DELAY_MS = 1000;
const DEFAULT_ERROR_STATUS = 500;
const NO_FAULT: FaultView = {
  mode: FaultMode.None,
  delayMs: 0,
  status: 0,
  paths: null,
  methods: null,
  remaining: null,
};

/** Holds the one active fault and hands it to the requests it applies to (test switch). */
export class FaultInjector {
  private view: FaultView = NO_FAULT;
  private pathFilter: RegExp | undefined;

  /** Replaces the active fault. Throws a SyntaxError when `paths` is not a regular expression. */
  set(spec: FaultSpec): FaultView {
    if (spec.mode === FaultMode.None) {
      this.view = NO_FAULT;
      this.pathFilter = undefined;
      return this.view;
    }
    const pathFilter = spec.paths === undefined ? undefined : new RegExp(spec.paths);
    this.pathFilter = pathFilter;
    this.view = {
      mode: spec.mode,
      delayMs: spec.delayMs ?? (spec.mode === FaultMode.Slow ? DEFAULT_SLOW_DELAY_MS : 0),
      status: spec.mode === FaultMode.Error ? (spec.status ?? DEFAULT_ERROR_STATUS) : 0,
      ...(spec.mode === FaultMode.WrongLength ? { lengthDelta: spec.lengthDelta || 1 } : {}),
      ...(spec.mode === FaultMode.Truncate && spec.truncateAfterBytes !== undefined
        ? { truncateAfterBytes: spec.truncateAfterBytes }
        : {}),
      paths: spec.paths ?? null,
      methods: spec.methods?.map((method) => method.toUpperCase()) ?? null,
      remaining: spec.remaining ?? null,
    };
    return this.view;
  }

  current(): FaultView {
    return this.view;
  }

  /** The fault for this request, if any; counts it against `remaining`. */
  take(method: string, path: string): AppliedFault | undefined {
    const view = this.view;
    if (view.mode === FaultMode.None) return undefined;
    if (view.methods !== null && !view.methods.includes(method.toUpperCase())) return undefined;
    if (this.pathFilter !== undefined && !this.pathFilter.test(path)) return undefined;
    if (view.remaining !== null) {
      this.view = view.remaining <= 1 ? NO_FAULT : { ...view, remaining: view.remaining - 1 };
    }
    return {
      mode: view.mode,
      delayMs: view.delayMs,
      status: view.status,
      lengthDelta: view.lengthDelta,
      truncateAfterBytes: view.truncateAfterBytes,
    };
  }
}
