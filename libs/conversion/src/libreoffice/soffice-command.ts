import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DocumentFamily, type ConversionPlan, type TargetFormat } from '../document-formats';

// LibreOffice export filter names (its filter configuration, `officecfg/registry/data/org/
// openoffice/TypeDetection/Filter`). Naming the filter, not just the extension, pins the exact
// format: "docx" alone could pick the Word 2007-365 or the "Office Open XML Text" flavour.
const OOXML_FILTERS: Readonly<Record<Exclude<TargetFormat, 'pdf'>, string>> = {
  docx: 'MS Word 2007 XML',
  xlsx: 'Calc MS Excel 2007 XML',
  pptx: 'Impress MS PowerPoint 2007 XML',
};

// PDF has one exporter per module; the one of the module that opened the document must be used.
const PDF_FILTERS: Readonly<Record<DocumentFamily, string>> = {
  [DocumentFamily.Text]: 'writer_pdf_Export',
  [DocumentFamily.Spreadsheet]: 'calc_pdf_Export',
  [DocumentFamily.Presentation]: 'impress_pdf_Export',
};

// The standard places a shell script finds its tools; PATH is fixed rather than inherited, like
// the rest of the environment below.
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** `--convert-to` argument: `<extension>:<filter>`. */
export function convertToArgument(plan: ConversionPlan): string {
  const filter = plan.outputFormat === 'pdf' ? PDF_FILTERS[plan.family] : OOXML_FILTERS[plan.outputFormat];
  return `${plan.outputFormat}:${filter}`;
}

/** The working folder of one conversion: everything LibreOffice reads or writes is inside it. */
export interface SofficeWorkDir {
  root: string;
  /** A profile of its own: concurrent instances sharing one would block or corrupt each other. */
  profile: string;
  input: string;
  output: string;
  /** TMPDIR: LibreOffice's own temp files land here and go with the folder. */
  tmp: string;
}

export function sofficeWorkDir(root: string): SofficeWorkDir {
  return {
    root,
    profile: path.join(root, 'profile'),
    input: path.join(root, 'in'),
    output: path.join(root, 'out'),
    tmp: path.join(root, 'tmp'),
  };
}

/** Arguments of one headless conversion of `inputFile` into `dirs.output`. */
export function sofficeArguments(dirs: SofficeWorkDir, inputFile: string, plan: ConversionPlan): string[] {
  return [
    // No UI, no splash, no start centre, no recovery of (or lock waits on) other sessions' files.
    '--headless',
    '--nologo',
    '--nodefault',
    '--norestore',
    '--nolockcheck',
    `-env:UserInstallation=${pathToFileURL(dirs.profile).href}`,
    '--convert-to',
    convertToArgument(plan),
    '--outdir',
    dirs.output,
    inputFile,
  ];
}

/**
 * The whole environment of a LibreOffice process. Nothing is inherited: the worker's secrets
 * (database URL, encryption key) stay out of a process that parses untrusted documents, and a
 * fixed locale makes a conversion independent of the host it runs on.
 */
export function sofficeEnvironment(dirs: SofficeWorkDir): NodeJS.ProcessEnv {
  return {
    PATH: SYSTEM_PATH,
    HOME: dirs.root,
    TMPDIR: dirs.tmp,
    LANG: 'C.UTF-8',
    // The headless rendering backend; never look for an X display or a desktop session.
    SAL_USE_VCLPLUGIN: 'svp',
  };
}

// Lines LibreOffice prints on every run, successful or not: no help in explaining a failure.
const ROUTINE_OUTPUT = [/^Warning: failed to launch javaldx/i, /^convert .* using filter\s*:/i];
const MAX_REASON_CHARS = 500;

/** What happened to one soffice process. */
export interface SofficeExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The end of what it printed (stdout and stderr, interleaved). */
  output: string;
}

/**
 * A clear failure reason from a run that produced no file: how it ended, and the lines it
 * printed that explain it (its `Error: ...` lines when there are any).
 */
export function sofficeFailureReason(run: SofficeExit): string {
  const lines = run.output
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !ROUTINE_OUTPUT.some((pattern) => pattern.test(line)));
  const errors = lines.filter((line) => /\berror\b/i.test(line));
  const how =
    run.signal !== null
      ? `LibreOffice crashed (${run.signal})`
      : run.exitCode !== 0
        ? `LibreOffice failed with exit code ${run.exitCode}`
        : 'LibreOffice wrote no output';
  const detail = (errors.length > 0 ? errors : lines.slice(-3)).join('; ');
  const reason = detail === '' ? how : `${how}: ${detail}`;
  return reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS - 3)}...` : reason;
}
