import { copyFile, link, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ConversionError } from '../conversion.error';
import type { ConversionRequest, ConversionResult, Converter } from '../converter.port';
import { planConversion } from '../document-formats';
import { inspectOutputFile } from '../file-signature';
import { createWorkDir, removeStaleWorkDirs } from '../work-dir';
import { findSoffice } from './soffice-binary';
import { sofficeArguments, sofficeEnvironment, sofficeFailureReason, sofficeWorkDir } from './soffice-command';
import { runSoffice } from './soffice-process';

export interface LibreOfficeOptions {
  /** Absolute path of the soffice launcher; the usual install locations are searched when unset. */
  sofficePath?: string;
  /** Parent folder of the per-conversion working folders. */
  tempDir: string;
}

export const LIBREOFFICE_OPTIONS = Symbol('LIBREOFFICE_OPTIONS');

/** The Debian packages that provide a headless LibreOffice for the three document families. */
export const LIBREOFFICE_DEBIAN_PACKAGES = [
  'libreoffice-writer-nogui',
  'libreoffice-calc-nogui',
  'libreoffice-impress-nogui',
] as const;

/**
 * The converter port on LibreOffice in headless mode. Each conversion is one soffice process
 * with its own profile, temp folder and working folder, all removed afterwards; a timeout kills
 * its whole process group. The result is checked (non-empty, right container, complete) before
 * it is handed over.
 */
@Injectable()
export class LibreOfficeConverter implements Converter, OnModuleInit {
  private readonly logger = new Logger(LibreOfficeConverter.name);
  /** Absolute: soffice runs in the working folder, where a relative path would point elsewhere. */
  private readonly tempDir: string;
  private soffice: string | undefined;

  constructor(@Inject(LIBREOFFICE_OPTIONS) private readonly options: LibreOfficeOptions) {
    this.tempDir = path.resolve(options.tempDir);
  }

  async onModuleInit(): Promise<void> {
    const removed = await removeStaleWorkDirs(this.tempDir);
    if (removed > 0) this.logger.warn({ removed }, 'removed working folders of interrupted conversions');
    // A worker without LibreOffice still does its other jobs; conversions fail, retried elsewhere.
    const soffice = await this.locate().catch(() => undefined);
    if (soffice) this.logger.log({ soffice }, 'LibreOffice converter ready');
    else this.logger.error(`LibreOffice not found: conversions fail until it is installed (${installHint()})`);
  }

  async convert(request: ConversionRequest): Promise<ConversionResult> {
    const plan = planConversion(request.inputFormat, request.outputFormat);
    const soffice = await this.locate();
    const dirs = sofficeWorkDir(await createWorkDir(this.tempDir));
    try {
      await Promise.all([dirs.profile, dirs.input, dirs.output, dirs.tmp].map((dir) => mkdir(dir)));
      // A fixed name: LibreOffice names the result after the input, and the core app's file name
      // (spaces, '#', '%', non-ASCII) never reaches a command line or a file URL.
      const input = path.join(dirs.input, `document.${plan.inputFormat}`);
      await linkOrCopy(request.inputPath, input);
      const run = await runSoffice(soffice, sofficeArguments(dirs, input, plan), {
        cwd: dirs.root,
        env: sofficeEnvironment(dirs),
        timeoutMs: request.timeoutMs,
      });
      if (run.timedOut) throw ConversionError.timeout(request.timeoutMs);
      // soffice exits 0 even when it could not load the document; the missing file tells.
      const produced = path.join(dirs.output, `document.${plan.outputFormat}`);
      const inspected = await inspectOutputFile(produced, plan.outputFormat).catch(() => undefined);
      if (inspected === undefined || run.exitCode !== 0)
        throw ConversionError.converterFailed(sofficeFailureReason(run));
      if (inspected.problem) throw ConversionError.invalidOutput(inspected.problem);
      await moveFile(produced, request.outputPath);
      return { outputPath: request.outputPath, sizeBytes: inspected.sizeBytes };
    } finally {
      await rm(dirs.root, { recursive: true, force: true });
    }
  }

  private async locate(): Promise<string> {
    // Remembered once found; looked up again while missing, so installing it needs no restart.
    this.soffice ??= await findSoffice(this.options.sofficePath);
    if (this.soffice) return this.soffice;
    throw ConversionError.converterUnavailable(
      this.options.sofficePath
        ? `SOFFICE_PATH ${this.options.sofficePath} is not an executable file`
        : `LibreOffice is not installed on this worker (${installHint()})`,
    );
  }
}

function installHint(): string {
  return `apt-get install --no-install-recommends ${LIBREOFFICE_DEBIAN_PACKAGES.join(' ')}`;
}

// A hard link costs nothing for a large input; across file systems it is a copy.
async function linkOrCopy(from: string, to: string): Promise<void> {
  await link(from, to).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EXDEV' && error.code !== 'EPERM') throw error;
    await copyFile(from, to);
  });
}

async function moveFile(from: string, to: string): Promise<void> {
  await rename(from, to).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EXDEV') throw error;
    await copyFile(from, to);
  });
}
