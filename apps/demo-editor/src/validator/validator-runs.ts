import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { DemoEditorError, DemoEditorErrorCode } from '../editor/demo-editor.error';
import type { WopiTarget } from '../wopi/wopi-client';

/** One run of the WOPI validator's command line against the file a validator frame was opened for. */
export interface ValidatorRunState {
  running: boolean;
  /** The validator's output so far, one line per test case, then its summary. */
  lines: string[];
  exitCode: number | null;
}

interface ValidatorFrame {
  target: WopiTarget;
  run?: ValidatorRunState & { process?: ChildProcess };
  openedAtMs: number;
}

/** Frames older than this are forgotten (their tokens with them). */
const FRAME_LIFETIME_MS = 4 * 60 * 60 * 1000;
const MAX_LINES = 2000;

/**
 * The frame the WOPI validator's discovery points at when the demo serves it (its urlsrc
 * `…/wopitest/WopiTestFrame.aspx`, with `--base-url` at this editor): like Office's own validator
 * frame it runs the validator against the host with the access token the host page POSTed. The
 * tests run from the validator's command line (`cli.mjs`), which signs with the validator's keys:
 * the session's token belongs to the tenant's validator profile.
 */
export class ValidatorRuns {
  private readonly frames = new Map<string, ValidatorFrame>();

  constructor(private readonly cliPath: string | undefined) {}

  get available(): boolean {
    return this.cliPath !== undefined;
  }

  open(target: WopiTarget): string {
    const now = Date.now();
    for (const [id, frame] of this.frames) {
      if (now - frame.openedAtMs > FRAME_LIFETIME_MS && !frame.run?.running) this.frames.delete(id);
    }
    const id = randomBytes(16).toString('base64url');
    this.frames.set(id, { target, openedAtMs: now });
    return id;
  }

  start(id: string): ValidatorRunState {
    const frame = this.frame(id);
    if (!this.cliPath)
      throw new DemoEditorError(DemoEditorErrorCode.BadRequest, 'No WOPI validator is configured here');
    if (frame.run?.running) return publicState(frame.run);
    const run: ValidatorRunState & { process?: ChildProcess } = { running: true, lines: [], exitCode: null };
    frame.run = run;
    const child = spawn(
      process.execPath,
      [
        this.cliPath,
        '--wopisrc',
        frame.target.wopiSrc,
        '--token',
        frame.target.accessToken,
        '--token-ttl',
        frame.target.accessTokenTtl,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    run.process = child;
    let pending = '';
    const take = (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      run.lines.push(...lines.map(withoutTokens));
      if (run.lines.length > MAX_LINES) run.lines.splice(0, run.lines.length - MAX_LINES);
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.on('close', (code) => {
      if (pending) run.lines.push(withoutTokens(pending));
      run.running = false;
      run.exitCode = code;
      delete run.process;
    });
    return publicState(run);
  }

  state(id: string): ValidatorRunState {
    const frame = this.frame(id);
    return frame.run ? publicState(frame.run) : { running: false, lines: [], exitCode: null };
  }

  /** Stops every running validator (shutdown). */
  stopAll(): void {
    for (const frame of this.frames.values()) frame.run?.process?.kill('SIGTERM');
  }

  private frame(id: string): ValidatorFrame {
    const frame = this.frames.get(id);
    if (!frame)
      throw new DemoEditorError(
        DemoEditorErrorCode.SessionNotFound,
        'This validator frame has expired; open the file again.',
      );
    return frame;
  }
}

/**
 * The validator prints request URLs with access tokens in them (its own encoding, '.' as %2E) and
 * re-run hints: no token is shown or kept, neither this session's nor one a host returned.
 */
export function withoutTokens(line: string): string {
  return line.replace(/(access_token=)[^&\s]+/g, '$1…').replace(/(\s(?:-t|--token)\s+)\S+/g, '$1…');
}

function publicState(run: ValidatorRunState): ValidatorRunState {
  return { running: run.running, lines: run.lines, exitCode: run.exitCode };
}
