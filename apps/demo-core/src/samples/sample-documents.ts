import { buildBudgetXlsx } from './budget-xlsx';
import { buildMeetingNotesOdt } from './meeting-notes-odt';
import { buildRoadmapPptx } from './roadmap-pptx';
import { SampleContext } from './sample-context';
import { buildWelcomeDocx } from './welcome-docx';

export interface SampleDocument {
  readonly name: string;
  readonly build: (context: SampleContext) => Buffer;
}

/** What an empty data directory is seeded with, in the order the launcher lists them. */
export const SAMPLE_DOCUMENTS: readonly SampleDocument[] = [
  { name: 'Welcome.docx', build: buildWelcomeDocx },
  { name: 'Budget.xlsx', build: buildBudgetXlsx },
  { name: 'Roadmap.pptx', build: buildRoadmapPptx },
  { name: 'Meeting notes.odt', build: buildMeetingNotesOdt },
  // Microsoft's WOPI validator runs against a file whose name ends in .wopitest and writes its
  // own content into it, so an empty file is what it expects to start from.
  { name: 'validator.wopitest', build: () => Buffer.alloc(0) },
];
