import { Injectable } from '@nestjs/common';
import type { File } from '@wopi/db';
import type { CoreFile } from '@wopi/core-app-client';
import { FileRepository } from './file.repository';
import { coreContentState, VersionLedger } from './version-ledger.repository';

/**
 * A file the gateway just created in a core app (PutRelativeFile, conversions): give it its own
 * file ID and its first version, with the SHA-256 the gateway computed while staging the bytes
 * when the core app does not report one.
 */
@Injectable()
export class CreatedFileRegistrar {
  constructor(
    private readonly files: FileRepository,
    private readonly ledger: VersionLedger,
  ) {}

  async register(tenantId: string, created: CoreFile, stagedSha256: string): Promise<File> {
    const file = await this.files.register({
      tenantId,
      coreRef: created.ref,
      name: created.name,
      ownerId: created.ownerId,
    });
    await this.ledger.reconcile(file.id, { ...coreContentState(created), sha256: created.sha256 ?? stagedSha256 });
    return file;
  }
}
