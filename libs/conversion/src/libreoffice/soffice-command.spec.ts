import { planConversion } from '../document-formats';
import {
  convertToArgument,
  sofficeArguments,
  sofficeEnvironment,
  sofficeFailureReason,
  sofficeWorkDir,
} from './soffice-command';

describe('convertToArgument', () => {
  it('names the OOXML filter of each target and the PDF exporter of the source family', () => {
    expect(convertToArgument(planConversion('doc', 'docx'))).toBe('docx:MS Word 2007 XML');
    expect(convertToArgument(planConversion('xls', 'xlsx'))).toBe('xlsx:Calc MS Excel 2007 XML');
    expect(convertToArgument(planConversion('ppt', 'pptx'))).toBe('pptx:Impress MS PowerPoint 2007 XML');
    expect(convertToArgument(planConversion('docx', 'pdf'))).toBe('pdf:writer_pdf_Export');
    expect(convertToArgument(planConversion('csv', 'pdf'))).toBe('pdf:calc_pdf_Export');
    expect(convertToArgument(planConversion('odp', 'pdf'))).toBe('pdf:impress_pdf_Export');
  });
});

describe('sofficeArguments and sofficeEnvironment', () => {
  const dirs = sofficeWorkDir('/tmp/wopi-convert-abc');

  it('keeps everything of one run inside its working folder', () => {
    expect(dirs).toEqual({
      root: '/tmp/wopi-convert-abc',
      profile: '/tmp/wopi-convert-abc/profile',
      input: '/tmp/wopi-convert-abc/in',
      output: '/tmp/wopi-convert-abc/out',
      tmp: '/tmp/wopi-convert-abc/tmp',
    });
    const args = sofficeArguments(dirs, '/tmp/wopi-convert-abc/in/document.doc', planConversion('doc', 'docx'));
    expect(args).toContain('--headless');
    expect(args).toContain('-env:UserInstallation=file:///tmp/wopi-convert-abc/profile');
    expect(args.slice(-5)).toEqual([
      '--convert-to',
      'docx:MS Word 2007 XML',
      '--outdir',
      '/tmp/wopi-convert-abc/out',
      '/tmp/wopi-convert-abc/in/document.doc',
    ]);
  });

  it('gives LibreOffice a fixed environment without the worker secrets', () => {
    expect(sofficeEnvironment(dirs)).toEqual({
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: '/tmp/wopi-convert-abc',
      TMPDIR: '/tmp/wopi-convert-abc/tmp',
      LANG: 'C.UTF-8',
      SAL_USE_VCLPLUGIN: 'svp',
    });
  });
});

describe('sofficeFailureReason', () => {
  const routine =
    'Warning: failed to launch javaldx - java may not function correctly\n' +
    'convert /tmp/w/in/document.doc -> /tmp/w/out/document.docx using filter : MS Word 2007 XML\n';

  it("keeps LibreOffice's error lines and drops the routine ones", () => {
    expect(
      sofficeFailureReason({
        exitCode: 0,
        signal: null,
        output: `${routine}Error: source file could not be loaded\n`,
      }),
    ).toBe('LibreOffice wrote no output: Error: source file could not be loaded');
  });

  it('says how the process ended when it crashed or failed', () => {
    expect(sofficeFailureReason({ exitCode: null, signal: 'SIGSEGV', output: routine })).toBe(
      'LibreOffice crashed (SIGSEGV)',
    );
    expect(sofficeFailureReason({ exitCode: 81, signal: null, output: 'one\ntwo\nthree\nfour\n' })).toBe(
      'LibreOffice failed with exit code 81: two; three; four',
    );
  });

  it('stays short whatever LibreOffice printed', () => {
    const reason = sofficeFailureReason({ exitCode: 1, signal: null, output: `Error: ${'x'.repeat(5000)}` });
    expect(reason.length).toBe(500);
    expect(reason.endsWith('...')).toBe(true);
  });
});
