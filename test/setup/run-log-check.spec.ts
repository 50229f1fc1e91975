import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import runLogCheck from './run-log-check';
import { saveRunLogState } from './run-log-state';

describe('the whole-run secret check', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJlc2lnbmF0dXJlMTIz';
  let dir: string;
  const check = () => {
    saveRunLogState({ dir, startedAt: Date.now() });
    return runLogCheck();
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'run-log-check-'));
    mkdirSync(path.join(dir, 'otlp'));
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes a clean run and says what it scanned', () => {
    writeFileSync(path.join(dir, 'dist-apps-api-src-main.js.1.log'), '{"msg":"request completed"}\n');
    writeFileSync(path.join(dir, 'otlp', '1-1-v1-traces.json'), '{"resourceSpans":[]}');
    check();
    expect(process.stderr.write).toHaveBeenCalledWith(
      expect.stringMatching(/secret scan of the whole run: 1 process logs and 1 OTLP exports, .*: no secret found/),
    );
  });

  it('fails naming the file, the kind of secret and its masked surroundings', () => {
    writeFileSync(path.join(dir, 'jest-worker-1.2.log'), `{"msg":"saved","token":"${jwt}"}\n`);
    expect(check).toThrow(/1 secret\(s\) found[\s\S]*jest-worker-1\.2\.log @24: JWT\n.*"token":"<<secret>>"\}/);
    // The state is taken once: a second teardown in the same process has nothing left to check.
    expect(() => runLogCheck()).not.toThrow();
  });

  it('finds a secret in an OTLP export, and one that straddles two pieces of a large log once', () => {
    writeFileSync(path.join(dir, 'otlp', '1-2-v1-traces.json'), `{"key":"url.full","value":"/x?access_token=${jwt}"}`);
    const head = 'x'.repeat(8 * 1024 * 1024 - 10);
    writeFileSync(path.join(dir, 'big.3.log'), `${head}${jwt}\n`);
    let message = '';
    try {
      check();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.match(/big\.3\.log @\d+: JWT/g)).toEqual([`big.3.log @${head.length}: JWT`]);
    expect(message).toMatch(/otlp\/1-2-v1-traces\.json @\d+: access_token query parameter/);
  });
});
