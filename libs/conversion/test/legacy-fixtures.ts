import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createWorkDir, FileSignature, findSoffice, signatureOf } from '@wopi/conversion';
import { buildBudgetXlsx } from '../../../apps/demo-core/src/samples/budget-xlsx';
import { buildRoadmapPptx } from '../../../apps/demo-core/src/samples/roadmap-pptx';
import type { SampleContext } from '../../../apps/demo-core/src/samples/sample-context';
import { buildWelcomeDocx } from '../../../apps/demo-core/src/samples/welcome-docx';
import { sofficeEnvironment, sofficeWorkDir } from '../src/libreoffice/soffice-command';
import { runSoffice } from '../src/libreoffice/soffice-process';

// Legacy Office 97-2003 documents for the conversion tests, made at test time from demo-core's
// own OOXML samples by LibreOffice itself: nothing downloaded, no binary committed. The gateway
// converts only towards OOXML and PDF, so this reverse direction is test-only and calls soffice
// directly with the Office 97 export filters.

export type LegacyFormat = 'doc' | 'xls' | 'ppt';

interface LegacySample {
  name: string;
  build: (context: SampleContext) => Buffer;
  /** LibreOffice's Office 97-2003 export filter. */
  filter: string;
  /** Where the text shows up again after conversion back to OOXML, and which text. */
  ooxmlPart: string;
  text: string;
}

export const LEGACY_SAMPLES: Readonly<Record<LegacyFormat, LegacySample>> = {
  doc: {
    name: 'Welcome',
    build: buildWelcomeDocx,
    filter: 'doc:MS Word 97',
    ooxmlPart: 'word/document.xml',
    text: 'Welcome to the WOPI Gateway demo',
  },
  xls: {
    name: 'Budget',
    build: buildBudgetXlsx,
    filter: 'xls:MS Excel 97',
    ooxmlPart: 'xl/sharedStrings.xml',
    text: 'Hosting',
  },
  ppt: {
    name: 'Roadmap',
    build: buildRoadmapPptx,
    filter: 'ppt:MS PowerPoint 97',
    ooxmlPart: 'ppt/slides/slide1.xml',
    text: 'Q2: co-authoring',
  },
};

const CONTEXT: SampleContext = { author: 'alice', createdAt: new Date('2026-01-05T09:00:00Z') };
// Generous: the first LibreOffice start on a machine fills its caches.
const FIXTURE_TIMEOUT_MS = 90_000;

/** The OOXML sample a legacy fixture is made from, written to `dir`; returns its path. */
export async function writeOoxmlSample(dir: string, format: LegacyFormat): Promise<string> {
  const sample = LEGACY_SAMPLES[format];
  const ooxml = path.join(dir, `${sample.name}.${format}x`);
  await writeFile(ooxml, sample.build(CONTEXT));
  return ooxml;
}

/** Writes `<name>.doc|.xls|.ppt` into `dir` (OLE2 compound files, checked) and returns their paths. */
export async function makeLegacyFixtures(dir: string): Promise<Record<LegacyFormat, string>> {
  const formats = Object.keys(LEGACY_SAMPLES) as LegacyFormat[];
  // Three processes at once: each has its own profile, so they do not wait for each other.
  const paths = await Promise.all(formats.map((format) => makeLegacyFixture(dir, format)));
  return Object.fromEntries(formats.map((format, i) => [format, paths[i]])) as Record<LegacyFormat, string>;
}

/** Writes one legacy fixture, `<name>.<format>`, into `dir` and returns its path. */
export async function makeLegacyFixture(dir: string, format: LegacyFormat): Promise<string> {
  const soffice = await findSoffice(undefined);
  if (!soffice) throw new Error('LibreOffice is not installed: call ensureLibreOffice() first');
  await mkdir(dir, { recursive: true });
  const sample = LEGACY_SAMPLES[format];
  const ooxml = await writeOoxmlSample(dir, format);
  const work = sofficeWorkDir(await createWorkDir(dir));
  try {
    await mkdir(work.tmp);
    const run = await runSoffice(
      soffice,
      [
        '--headless',
        '--norestore',
        `-env:UserInstallation=${pathToFileURL(work.profile).href}`,
        '--convert-to',
        sample.filter,
        '--outdir',
        dir,
        ooxml,
      ],
      { cwd: work.root, env: sofficeEnvironment(work), timeoutMs: FIXTURE_TIMEOUT_MS },
    );
    const legacy = path.join(dir, `${sample.name}.${format}`);
    const bytes = await readFile(legacy).catch(() => {
      throw new Error(`LibreOffice made no ${format} fixture (exit ${run.exitCode}):\n${run.output}`);
    });
    if (signatureOf(bytes) !== FileSignature.Ole2) throw new Error(`${legacy} is not an OLE2 compound file`);
    return legacy;
  } finally {
    await rm(work.root, { recursive: true, force: true });
  }
}

/** A .doc cut off half way, as an interrupted upload leaves it: LibreOffice cannot load it. */
export async function makeTruncatedDoc(validDoc: string, target: string): Promise<string> {
  const bytes = await readFile(validDoc);
  await writeFile(target, bytes.subarray(0, Math.floor(bytes.length / 2)));
  return target;
}
