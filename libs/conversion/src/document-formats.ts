import { ConversionError } from './conversion.error';

/** What a conversion job may produce: OOXML from a legacy binary file, or PDF from anything. */
export const TARGET_FORMATS = ['docx', 'xlsx', 'pptx', 'pdf'] as const;
export type TargetFormat = (typeof TARGET_FORMATS)[number];

/** The kind of document: decides which LibreOffice module opens it and which exporters apply. */
export enum DocumentFamily {
  Text = 'text',
  Spreadsheet = 'spreadsheet',
  Presentation = 'presentation',
}

interface SourceFormat {
  family: DocumentFamily;
  /** The OOXML format a legacy binary (Office 97-2003) format is upgraded to. */
  upgradesTo?: TargetFormat;
}

// Source formats by file extension, lower case. Office 97-2003, OOXML (with macro and template
// variants), ODF and the plain interchange formats each module opens without options.
const SOURCE_FORMATS: Readonly<Record<string, SourceFormat>> = {
  doc: { family: DocumentFamily.Text, upgradesTo: 'docx' },
  dot: { family: DocumentFamily.Text },
  docx: { family: DocumentFamily.Text },
  docm: { family: DocumentFamily.Text },
  dotx: { family: DocumentFamily.Text },
  odt: { family: DocumentFamily.Text },
  ott: { family: DocumentFamily.Text },
  rtf: { family: DocumentFamily.Text },
  txt: { family: DocumentFamily.Text },
  xls: { family: DocumentFamily.Spreadsheet, upgradesTo: 'xlsx' },
  xlt: { family: DocumentFamily.Spreadsheet },
  xlsx: { family: DocumentFamily.Spreadsheet },
  xlsm: { family: DocumentFamily.Spreadsheet },
  xltx: { family: DocumentFamily.Spreadsheet },
  ods: { family: DocumentFamily.Spreadsheet },
  ots: { family: DocumentFamily.Spreadsheet },
  csv: { family: DocumentFamily.Spreadsheet },
  ppt: { family: DocumentFamily.Presentation, upgradesTo: 'pptx' },
  pps: { family: DocumentFamily.Presentation },
  pot: { family: DocumentFamily.Presentation },
  pptx: { family: DocumentFamily.Presentation },
  pptm: { family: DocumentFamily.Presentation },
  ppsx: { family: DocumentFamily.Presentation },
  potx: { family: DocumentFamily.Presentation },
  odp: { family: DocumentFamily.Presentation },
  otp: { family: DocumentFamily.Presentation },
};

/** A conversion the gateway supports, with the family of its source. */
export interface ConversionPlan {
  inputFormat: string;
  outputFormat: TargetFormat;
  family: DocumentFamily;
}

/** The lower-case extension of a file name (`Report.DOC` -> `doc`), or undefined without one. */
export function formatOfFileName(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : undefined;
}

/** Checks that `inputFormat` converts to `outputFormat`; throws an unsupported ConversionError otherwise. */
export function planConversion(inputFormat: string | undefined, outputFormat: TargetFormat): ConversionPlan {
  const source = inputFormat === undefined ? undefined : SOURCE_FORMATS[inputFormat];
  if (source === undefined || inputFormat === undefined) {
    throw ConversionError.unsupported(
      `files of type ${inputFormat ? `.${inputFormat}` : 'unknown'} cannot be converted`,
    );
  }
  if (outputFormat !== 'pdf' && source.upgradesTo !== outputFormat) {
    const to = source.upgradesTo ? `only to ${source.upgradesTo} or pdf` : 'only to pdf';
    throw ConversionError.unsupported(`.${inputFormat} converts ${to}, not to ${outputFormat}`);
  }
  return { inputFormat, outputFormat, family: source.family };
}

/** The converted file's name: `Report.doc` -> `Report.docx`, `Q3 (final).xlsx` -> `Q3 (final).pdf`. */
export function convertedFileName(sourceName: string, outputFormat: TargetFormat): string {
  const dot = sourceName.lastIndexOf('.');
  const base = dot > 0 ? sourceName.slice(0, dot) : sourceName;
  return `${base}.${outputFormat}`;
}
