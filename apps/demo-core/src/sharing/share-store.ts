import { randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** What a share grants: the editor or viewer permissions of ROLE_PERMISSIONS, on one document. */
export enum ShareRole {
  Editor = 'editor',
  Viewer = 'viewer',
}

/**
 * Who a document is shared with. A private document (uploaded or created on the pages) is seen
 * by its owner and the users it is shared with only. Other documents (the samples, files the
 * gateway creates next to them) keep the workspace roles, and a share adds to the role, so the
 * contract tests' users stay what they are.
 */
export interface DocumentSharing {
  readonly private: boolean;
  /** userId -> role. */
  readonly shares: Readonly<Record<string, ShareRole>>;
}

const FILE_NAME = 'sharing.json';

/**
 * The share table, one JSON file in the data directory, replaced atomically on every change
 * (temp file, then rename). Small and written rarely: a core app would keep it in its database.
 */
export class ShareStore {
  private constructor(
    private readonly file: string,
    private readonly documents: Map<string, DocumentSharing>,
  ) {}

  static async open(dataDir: string): Promise<ShareStore> {
    const file = path.join(dataDir, FILE_NAME);
    const documents = new Map<string, DocumentSharing>();
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text !== undefined) {
      const parsed = JSON.parse(text) as { documents?: Record<string, DocumentSharing> };
      for (const [ref, sharing] of Object.entries(parsed.documents ?? {})) {
        documents.set(ref, { private: sharing.private === true, shares: sanitize(sharing.shares) });
      }
    }
    return new ShareStore(file, documents);
  }

  /** The sharing of a document; undefined when it is a workspace document never shared. */
  get(ref: string): DocumentSharing | undefined {
    return this.documents.get(ref);
  }

  /** Makes a new document private to its owner (uploads and new documents from the pages). */
  async makePrivate(ref: string): Promise<void> {
    this.documents.set(ref, { private: true, shares: this.documents.get(ref)?.shares ?? {} });
    await this.save();
  }

  /** Grants `role` to `userId` on a private document (replacing an earlier share), or removes it. */
  async setShare(ref: string, userId: string, role: ShareRole | undefined): Promise<void> {
    const current = this.documents.get(ref);
    const shares = { ...(current?.shares ?? {}) };
    if (role === undefined) delete shares[userId];
    else shares[userId] = role;
    this.documents.set(ref, { private: current?.private ?? false, shares });
    await this.save();
  }

  private async save(): Promise<void> {
    const temp = `${this.file}.${randomUUID()}.tmp`;
    const body = { format: 1, documents: Object.fromEntries(this.documents) };
    await writeFile(temp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
    await rename(temp, this.file);
  }
}

function sanitize(shares: Readonly<Record<string, unknown>> | undefined): Record<string, ShareRole> {
  const roles = new Set<string>(Object.values(ShareRole));
  return Object.fromEntries(
    Object.entries(shares ?? {}).filter((entry): entry is [string, ShareRole] => roles.has(String(entry[1]))),
  );
}
