import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isProcessAlive } from '../../../../scripts/infra/index.cjs';
import { ENSURE_LIBREOFFICE_TIMEOUT_MS, ensureLibreOffice } from '../../test/ensure-libreoffice';
import { ooxmlPartText, processesMentioning } from '../../test/inspect-output';
import { LEGACY_SAMPLES, makeLegacyFixture, makeTruncatedDoc } from '../../test/legacy-fixtures';
import { ConversionError, ConversionErrorCode } from '../conversion.error';
import { FileSignature, signatureOf } from '../file-signature';
import { LibreOfficeConverter } from './libreoffice.converter';

async function conversionError(promise: Promise<unknown>): Promise<ConversionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConversionError);
  return error as ConversionError;
}

/** Whether `pid` still runs after up to 2 s: SIGKILL is delivered at once, the reaping may lag. */
async function stillRunning(pid: number): Promise<boolean> {
  for (const deadline = Date.now() + 2_000; Date.now() < deadline;) {
    if (!isProcessAlive(pid)) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return isProcessAlive(pid);
}

describe('LibreOfficeConverter', () => {
  // The converter's own temp root, and the caller's folder with inputs and outputs.
  let tempDir: string;
  let files: string;
  let legacyDoc: string;
  let converter: LibreOfficeConverter;

  beforeAll(async () => {
    await ensureLibreOffice();
    files = await mkdtemp(path.join(tmpdir(), 'conversion-files-'));
    legacyDoc = await makeLegacyFixture(files, 'doc');
  }, ENSURE_LIBREOFFICE_TIMEOUT_MS);

  beforeEach(async () => {
    tempDir = await mkdtemp(path.join(tmpdir(), 'conversion-temp-'));
    converter = new LibreOfficeConverter({ tempDir });
  });

  afterEach(() => rm(tempDir, { recursive: true, force: true }));

  /** Whatever happened, a conversion leaves no folder and no process behind. */
  async function expectNothingLeftBehind(): Promise<void> {
    expect(await readdir(tempDir)).toEqual([]);
    expect(await processesMentioning(tempDir)).toEqual([]);
  }

  afterAll(() => rm(files, { recursive: true, force: true }));

  it('converts a legacy .doc to .docx with its text', async () => {
    const outputPath = path.join(files, 'Welcome.docx');
    const result = await converter.convert({
      inputPath: legacyDoc,
      inputFormat: 'doc',
      outputFormat: 'docx',
      outputPath,
      timeoutMs: 60_000,
    });
    expect(result).toEqual({ outputPath, sizeBytes: (await stat(outputPath)).size });
    const bytes = await readFile(outputPath);
    expect(signatureOf(bytes)).toBe(FileSignature.Zip);
    expect(ooxmlPartText(bytes, 'word/document.xml')).toContain(LEGACY_SAMPLES.doc.text);
    await expectNothingLeftBehind();
  }, 60_000);

  it('fails a document LibreOffice cannot load with its own error line', async () => {
    const broken = await makeTruncatedDoc(legacyDoc, path.join(files, 'broken.doc'));
    const outputPath = path.join(files, 'broken.docx');
    const error = await conversionError(
      converter.convert({ inputPath: broken, inputFormat: 'doc', outputFormat: 'docx', outputPath, timeoutMs: 60_000 }),
    );
    expect(error.code).toBe(ConversionErrorCode.ConverterFailed);
    expect(error.detail).toBe('LibreOffice wrote no output: Error: source file could not be loaded');
    expect(error.retryable).toBe(false);
    await expect(stat(outputPath)).rejects.toThrow('ENOENT');
    await expectNothingLeftBehind();
  }, 60_000);

  describe('with a stand-in for soffice', () => {
    // Shell scripts in place of the launcher make a crash and a hung grandchild reproducible.
    async function fakeSoffice(name: string, script: string): Promise<LibreOfficeConverter> {
      const file = path.join(files, name);
      await writeFile(file, `#!/bin/sh\n${script}\n`);
      await chmod(file, 0o755);
      return new LibreOfficeConverter({ tempDir, sofficePath: file });
    }

    it('reports a crash with its signal and what the process printed', async () => {
      const crashing = await fakeSoffice('crashing-soffice', 'echo "Fatal exception: Signal 11" >&2\nkill -SEGV $$');
      const error = await conversionError(
        crashing.convert({
          inputPath: legacyDoc,
          inputFormat: 'doc',
          outputFormat: 'pdf',
          outputPath: path.join(files, 'crash.pdf'),
          timeoutMs: 10_000,
        }),
      );
      expect(error.code).toBe(ConversionErrorCode.ConverterFailed);
      expect(error.detail).toBe('LibreOffice crashed (SIGSEGV): Fatal exception: Signal 11');
      await expectNothingLeftBehind();
    });

    it('on timeout kills the whole process group, grandchildren included', async () => {
      // Like oosplash starting soffice.bin: the launcher waits for a child of its own.
      const pidFile = path.join(files, 'grandchild.pid');
      const hanging = await fakeSoffice('hanging-soffice', `sleep 600 &\necho $! > '${pidFile}'\nwait`);
      const started = Date.now();
      const error = await conversionError(
        hanging.convert({
          inputPath: legacyDoc,
          inputFormat: 'doc',
          outputFormat: 'docx',
          outputPath: path.join(files, 'hang.docx'),
          timeoutMs: 500,
        }),
      );
      expect(error.code).toBe(ConversionErrorCode.Timeout);
      expect(error.detail).toBe('LibreOffice did not finish within 500 ms; the conversion was stopped');
      expect(Date.now() - started).toBeLessThan(5_000);
      const grandchild = Number(await readFile(pidFile, 'utf8'));
      expect(await stillRunning(grandchild)).toBe(false);
      await expectNothingLeftBehind();
    });

    it('is unavailable, and worth retrying elsewhere, when soffice is not there', async () => {
      const missing = new LibreOfficeConverter({ tempDir, sofficePath: path.join(files, 'no-such-soffice') });
      const error = await conversionError(
        missing.convert({
          inputPath: legacyDoc,
          inputFormat: 'doc',
          outputFormat: 'docx',
          outputPath: path.join(files, 'never.docx'),
          timeoutMs: 1_000,
        }),
      );
      expect(error.code).toBe(ConversionErrorCode.ConverterUnavailable);
      expect(error.retryable).toBe(true);
      await expectNothingLeftBehind();
    });
  });

  it('refuses an unsupported conversion before starting anything', async () => {
    const error = await conversionError(
      converter.convert({
        inputPath: legacyDoc,
        inputFormat: 'doc',
        outputFormat: 'xlsx',
        outputPath: path.join(files, 'never.xlsx'),
        timeoutMs: 1_000,
      }),
    );
    expect(error.code).toBe(ConversionErrorCode.UnsupportedConversion);
    await expectNothingLeftBehind();
  });
});
