import { Readable } from 'node:stream';
import { DocumentRecord } from '../documents/document-record';
import { DocumentStore } from '../documents/document.store';
import { DemoUser } from '../users/demo-users';
import { SAMPLE_DOCUMENTS } from './sample-documents';

/** Creates every sample document, owned by `owner`, each at version "1". */
export async function seedSampleDocuments(store: DocumentStore, owner: DemoUser): Promise<DocumentRecord[]> {
  const context = { author: owner.displayName, createdAt: new Date() };
  const created: DocumentRecord[] = [];
  for (const sample of SAMPLE_DOCUMENTS) {
    // Through the same stage-and-publish path as uploads, so seeding is crash-safe too.
    const staged = await store.stage(Readable.from([sample.build(context)]), Number.MAX_SAFE_INTEGER);
    created.push(await store.namespace(() => store.create({ name: sample.name, ownerId: owner.id, staged })));
  }
  return created;
}
