import type { TargetFormat } from './document-formats';

export interface ConversionRequest {
  /** The source document on local disk; read, never changed. */
  inputPath: string;
  /** The source's format (its file extension, lower case), a hint for the converter's import. */
  inputFormat: string;
  outputFormat: TargetFormat;
  /** Where the result goes; must not exist yet. The caller owns it (and deletes it). */
  outputPath: string;
  /** After this the conversion is stopped and fails with a timeout. */
  timeoutMs: number;
}

export interface ConversionResult {
  outputPath: string;
  sizeBytes: number;
}

/**
 * The converter port: file in, file out, so no document is ever held in memory. An adapter
 * either writes a checked result to `outputPath` or throws a ConversionError, and in both cases
 * leaves nothing else behind (no temp files, no processes).
 */
export interface Converter {
  convert(request: ConversionRequest): Promise<ConversionResult>;
}

export const CONVERTER = Symbol('CONVERTER');
