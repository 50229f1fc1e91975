import { Readable } from 'node:stream';
import { DemoCoreError } from '../demo-core.error';
import { IfMatchCondition, ifMatchSatisfied } from '../http/entity-tag';
import { DEMO_USERS, DemoUser, findDemoUser } from '../users/demo-users';
import { ShareRole, ShareStore } from '../sharing/share-store';
import { DemoRole, FilePermissions, permissionsFor } from '../users/file-permissions';
import { measureContent } from './content-meter';
import { Breadcrumb, DocumentLinks, FileUrls } from './document-links';
import { DocumentRecord, IdempotentWrite } from './document-record';
import { DocumentStore, IdempotencyStamp, StagedContent } from './document.store';
import { suggestFreeName, validateFileName } from './file-name';
import { createSiblingFingerprint, putContentFingerprint } from './idempotency';
import { KeyedMutex } from './keyed-mutex';

/** A document as the listing shows it (no user, so no permissions). */
export interface FileSummary {
  readonly ref: string;
  readonly name: string;
  readonly size: number;
  readonly version: string;
  readonly lastModifiedTime: string;
}

/** A document as one user sees it: the contract's FileMetadata. */
export interface FileMetadata extends FileSummary {
  /** Hex SHA-256 of the content of `version`. */
  readonly sha256: string;
  readonly ownerId: string;
  readonly permissions: FilePermissions;
  readonly urls: FileUrls;
  readonly breadcrumb: Breadcrumb;
}

/** A document and who may do what with it, for demo-core's own pages. */
export interface DocumentOverview {
  readonly summary: FileSummary & { readonly sha256: string; readonly ownerId: string };
  readonly access: readonly { readonly user: DemoUser; readonly permissions: FilePermissions }[];
}

export interface FileContent {
  readonly version: string;
  readonly size: number;
  readonly stream: Readable;
}

/** A request body, and the SHA-256 the verified signature says it has. */
export interface SignedBody {
  readonly body: Readable;
  /** Hex SHA-256 from x-gateway-content-sha256; the bytes must match it before they count. */
  readonly bodySha256: string;
  /** The request's Content-Length, when it sent one. */
  readonly declaredBytes?: number;
}

export interface ContentWrite extends SignedBody {
  readonly userId: string;
  /** Absent: overwrite whatever version is current. */
  readonly ifMatch?: IfMatchCondition;
  readonly idempotencyKey: string;
}

export enum OnConflict {
  Fail = 'fail',
  Overwrite = 'overwrite',
  Rename = 'rename',
}

export interface SiblingCreate extends SignedBody {
  readonly userId: string;
  /** Full file name, extension included. */
  readonly name: string;
  readonly onConflict: OnConflict;
  /** Only with OnConflict.Overwrite: the version the replaced file must still have. */
  readonly ifMatch?: IfMatchCondition;
  readonly idempotencyKey: string;
}

export interface WriteResult {
  /** 201 when a file was created, 200 when existing content was replaced. */
  readonly status: 200 | 201;
  readonly metadata: FileMetadata;
  /** True when an earlier write with the same Idempotency-Key was answered again, nothing written. */
  readonly replayed: boolean;
}

/** A keyed write: how to check it cheaply before its body is read, and how to carry it out. */
interface KeyedWrite {
  readonly key: string;
  readonly fingerprint: string;
  readonly userId: string;
  readonly upload: SignedBody;
  /** Refusals that need no body (stale If-Match, taken name), so a large upload is not read in vain. */
  readonly precheck: () => void;
  readonly perform: (staged: StagedContent, stamp: (status: 200 | 201) => IdempotencyStamp) => Promise<WriteResult>;
}

/**
 * The core app's rules: who may do what (403 vs 404), names in the folder, If-Match, and
 * Idempotency-Keys. Bytes are staged by the store; a body is only ever acted on after its
 * SHA-256 matched the signed digest.
 */
export class DocumentsService {
  /** One keyed write at a time per Idempotency-Key, so a retry racing its original waits and replays. */
  private readonly keyLocks = new KeyedMutex();
  /** Permissions taken from a user on every document (test switch: an access change in the core app). */
  private readonly withdrawn = new Map<string, ReadonlySet<keyof FilePermissions>>();

  constructor(
    private readonly store: DocumentStore,
    private readonly maxUploadBytes: number,
    private readonly links: DocumentLinks,
    private readonly sharing: ShareStore,
  ) {}

  listFiles(): FileSummary[] {
    return this.store.list().map(toSummary);
  }

  /** A document with its access list, or undefined; for demo-core's own pages (no user). */
  overview(ref: string): DocumentOverview | undefined {
    const record = this.store.get(ref);
    if (record === undefined) return undefined;
    return {
      summary: { ...toSummary(record), sha256: record.sha256, ownerId: record.ownerId },
      access: DEMO_USERS.map((user) => ({ user, permissions: this.permissionsOf(user.id, record) })),
    };
  }

  /** The documents `userId` may read, with what they may do: the signed-in user's file list. */
  filesFor(userId: string): FileMetadata[] {
    return this.store
      .list()
      .map((record) => ({ record, permissions: this.permissionsOf(userId, record) }))
      .filter(({ permissions }) => permissions.read)
      .map(({ record, permissions }) => this.toMetadata(record, permissions));
  }

  /** Who a private document is shared with (userId -> role); undefined for a workspace document. */
  sharesOf(ref: string): Readonly<Record<string, ShareRole>> | undefined {
    return this.sharing.get(ref)?.shares;
  }

  /**
   * A file uploaded (or created empty) on demo-core's own pages by a signed-in user: any type,
   * streamed to disk, a free name like `name` when it is taken, private to its owner until shared.
   * No signed digest here: the user's session authenticates the request, not the gateway.
   */
  async createFromPage(userId: string, name: string, body: Readable): Promise<FileMetadata> {
    validateFileName(name);
    const staged = await this.readBody(() => this.store.stage(body, this.maxUploadBytes));
    try {
      const record = await this.store.namespace(async () => {
        const free = this.store.findByName(name) === undefined ? name : this.freeNameLike(name);
        return this.store.create({ name: free, ownerId: userId, staged });
      });
      await this.sharing.makePrivate(record.ref);
      return this.toMetadata(record, this.permissionsOn(record, userId));
    } finally {
      await this.store.discard(staged);
    }
  }

  /**
   * Writes a new version from the pages (the "new document" template when the WOPI client has no
   * editnew): needs write, like a save through the gateway.
   */
  async writeFromPage(ref: string, userId: string, body: Readable): Promise<FileMetadata> {
    this.authorize(ref, userId, 'write');
    const staged = await this.readBody(() => this.store.stage(body, this.maxUploadBytes));
    try {
      return await this.store.exclusive(ref, async () => {
        const { permissions } = this.authorize(ref, userId, 'write');
        return this.toMetadata(await this.store.commit(ref, staged), permissions);
      });
    } finally {
      await this.store.discard(staged);
    }
  }

  /**
   * Shares a document with another user as editor or viewer (undefined: takes the share back).
   * Needs the share permission. On a workspace document the share adds to the user's role.
   */
  async share(ref: string, byUserId: string, targetUserId: string, role: ShareRole | undefined): Promise<void> {
    const { record } = this.authorize(ref, byUserId, 'share');
    if (findDemoUser(targetUserId) === undefined) throw DemoCoreError.badRequest('no such user to share with');
    if (targetUserId === record.ownerId) throw DemoCoreError.badRequest("the owner's access cannot be changed");
    await this.sharing.setShare(ref, targetUserId, role);
  }

  getMetadata(ref: string, userId: string): FileMetadata {
    const { record, permissions } = this.authorize(ref, userId, 'read');
    return this.toMetadata(record, permissions);
  }

  async openContent(ref: string, userId: string): Promise<FileContent> {
    this.authorize(ref, userId, 'read');
    const opened = await this.store.openContent(ref);
    if (opened === undefined) throw DemoCoreError.fileNotFound(ref);
    return { version: opened.record.version, size: opened.size, stream: opened.stream };
  }

  putContent(ref: string, write: ContentWrite): Promise<WriteResult> {
    this.authorize(ref, write.userId, 'write');
    this.checkDeclaredSize(write);
    return this.keyedWrite({
      key: write.idempotencyKey,
      fingerprint: putContentFingerprint(ref, write.userId, write.bodySha256),
      userId: write.userId,
      upload: write,
      precheck: () => checkIfMatch(write.ifMatch, this.requireRecord(ref)),
      perform: (staged, stamp) =>
        this.store.exclusive(ref, async () => {
          // Check again: another write may have committed while this body was arriving.
          const { permissions } = this.authorize(ref, write.userId, 'write');
          checkIfMatch(write.ifMatch, this.requireRecord(ref));
          const record = await this.store.commit(ref, staged, stamp(200));
          return { status: 200, metadata: this.toMetadata(record, permissions), replayed: false };
        }),
    });
  }

  /** The file called `name` in the folder of `ref`, as `userId` sees it. */
  getSibling(ref: string, userId: string, name: string): FileMetadata {
    this.authorize(ref, userId, 'read');
    validateFileName(name);
    const sibling = this.store.findByName(name);
    if (sibling === undefined) throw DemoCoreError.siblingNotFound(name);
    return this.toMetadata(sibling, this.permissionsOn(sibling, userId, 'read'));
  }

  /** Creates a file in the folder of `sourceRef` (or replaces one, with OnConflict.Overwrite). */
  createSibling(sourceRef: string, create: SiblingCreate): Promise<WriteResult> {
    this.authorize(sourceRef, create.userId, 'createSibling');
    validateFileName(create.name);
    if (create.ifMatch !== undefined && create.onConflict !== OnConflict.Overwrite) {
      throw DemoCoreError.badRequest('If-Match only applies with onConflict=overwrite');
    }
    this.checkDeclaredSize(create);
    return this.keyedWrite({
      key: create.idempotencyKey,
      fingerprint: createSiblingFingerprint(
        sourceRef,
        create.userId,
        create.name,
        create.onConflict,
        create.bodySha256,
      ),
      userId: create.userId,
      upload: create,
      precheck: () => this.checkSiblingTarget(create),
      perform: (staged, stamp) =>
        this.store.namespace(async () => {
          // Check again under the folder lock: the name may have been taken or freed meanwhile.
          this.authorize(sourceRef, create.userId, 'createSibling');
          const existing = this.checkSiblingTarget(create);
          if (existing === undefined || create.onConflict === OnConflict.Rename) {
            const name = existing === undefined ? create.name : this.freeNameLike(create.name);
            const record = await this.store.create({ name, ownerId: create.userId, staged, idempotency: stamp(201) });
            return {
              status: 201,
              metadata: this.toMetadata(record, this.permissionsOn(record, create.userId)),
              replayed: false,
            };
          }
          return this.store.exclusive(existing.ref, async () => {
            const current = this.requireRecord(existing.ref);
            const permissions = this.permissionsOn(current, create.userId, 'write');
            checkIfMatch(create.ifMatch, current);
            const record = await this.store.commit(current.ref, staged, stamp(200));
            return { status: 200, metadata: this.toMetadata(record, permissions), replayed: false };
          });
        }),
    });
  }

  /** Renames `ref` within its folder; ref, version and content stay. */
  rename(ref: string, userId: string, name: string): Promise<FileMetadata> {
    this.authorize(ref, userId, 'rename');
    validateFileName(name);
    return this.store.namespace(async () => {
      const { record, permissions } = this.authorize(ref, userId, 'rename');
      const holder = this.store.findByName(name);
      if (holder !== undefined && holder.ref !== ref) {
        throw DemoCoreError.nameConflict(name, holder.ref, this.freeNameLike(name));
      }
      if (record.name === name) return this.toMetadata(record, permissions);
      const renamed = await this.store.rename(ref, name);
      if (renamed === undefined) throw DemoCoreError.fileNotFound(ref);
      return this.toMetadata(renamed, permissions);
    });
  }

  async delete(ref: string, userId: string): Promise<void> {
    this.authorize(ref, userId, 'delete');
    await this.store.namespace(async () => {
      this.authorize(ref, userId, 'delete');
      if (!(await this.store.remove(ref))) throw DemoCoreError.fileNotFound(ref);
    });
  }

  /**
   * A change made in the core app itself, not through the gateway (test switch): a new version
   * with `upload` as content, as the owner. No If-Match, no Idempotency-Key.
   */
  async externalEdit(ref: string, upload: SignedBody): Promise<FileMetadata> {
    const record = this.requireRecord(ref);
    this.checkDeclaredSize(upload);
    const staged = await this.stageVerified(upload);
    try {
      const committed = await this.store.exclusive(ref, async () => {
        this.requireRecord(ref);
        return this.store.commit(ref, staged);
      });
      return this.toMetadata(committed, this.permissionsOn(committed, record.ownerId));
    } finally {
      await this.store.discard(staged);
    }
  }

  /**
   * Runs a write under an Idempotency-Key. A key seen before with the same fingerprint answers
   * the first result again (nothing written); with another fingerprint it is a 422. Requests
   * with one key are serialized, so a retry that overtakes its still-running original waits
   * for it and then replays it instead of writing twice.
   */
  private async keyedWrite(write: KeyedWrite): Promise<WriteResult> {
    const stamp = (status: 200 | 201): IdempotencyStamp => ({ key: write.key, fingerprint: write.fingerprint, status });
    const remembered = this.store.findIdempotentWrite(write.key);
    if (remembered !== undefined) {
      // The body is not used, but it is read to the end (keeping the connection usable) and
      // checked against the signed digest like any other.
      const { sha256 } = await this.readBody(() => measureContent(write.upload.body, this.maxUploadBytes));
      if (sha256 !== write.upload.bodySha256) throw DemoCoreError.digestMismatch();
      return this.replay(remembered.record, remembered.write, write);
    }
    write.precheck();

    // Staged outside every lock, so a slow upload never holds up reads or other writes.
    const staged = await this.stageVerified(write.upload);
    try {
      return await this.keyLocks.run(write.key, async () => {
        const raced = this.store.findIdempotentWrite(write.key);
        if (raced !== undefined) return this.replay(raced.record, raced.write, write);
        return write.perform(staged, stamp);
      });
    } finally {
      await this.store.discard(staged);
    }
  }

  /** Answers a retry with the result of the write it repeats, as long as it is the same request. */
  private replay(record: DocumentRecord, previous: IdempotentWrite, write: KeyedWrite): WriteResult {
    if (previous.fingerprint !== write.fingerprint) throw DemoCoreError.idempotencyKeyReused();
    const metadata: FileMetadata = {
      ...this.toMetadata(record, this.permissionsOn(record, write.userId)),
      version: previous.version,
      size: previous.size,
      sha256: previous.sha256,
      lastModifiedTime: previous.lastModifiedTime,
    };
    return { status: previous.status, metadata, replayed: true };
  }

  /** Streams the body to a temp file; refuses it (nothing kept) unless it matches the signed digest. */
  private async stageVerified(upload: SignedBody): Promise<StagedContent> {
    const staged = await this.readBody(() => this.store.stage(upload.body, this.maxUploadBytes));
    if (staged.sha256 !== upload.bodySha256) {
      await this.store.discard(staged);
      throw DemoCoreError.digestMismatch();
    }
    return staged;
  }

  /**
   * The file a sibling upload would replace, after the refusals that need no body: a taken name
   * with OnConflict.Fail (409), no write permission or a stale If-Match with Overwrite.
   */
  private checkSiblingTarget(create: SiblingCreate): DocumentRecord | undefined {
    const existing = this.store.findByName(create.name);
    if (existing === undefined) {
      // RFC 9110 13.1.1: If-Match is false when there is no current representation.
      if (create.ifMatch !== undefined) throw DemoCoreError.versionMismatch(undefined);
      return undefined;
    }
    if (create.onConflict === OnConflict.Fail) {
      throw DemoCoreError.nameConflict(create.name, existing.ref, this.freeNameLike(create.name));
    }
    if (create.onConflict === OnConflict.Overwrite) {
      this.permissionsOn(existing, create.userId, 'write');
      checkIfMatch(create.ifMatch, existing);
    }
    return existing;
  }

  private freeNameLike(name: string): string {
    return suggestFreeName(name, (candidate) => this.store.findByName(candidate) !== undefined);
  }

  private checkDeclaredSize(upload: SignedBody): void {
    if (upload.declaredBytes !== undefined && upload.declaredBytes > this.maxUploadBytes) {
      throw DemoCoreError.payloadTooLarge(this.maxUploadBytes);
    }
  }

  /**
   * 404 means "no such file", 403 "this user may not": the gateway must be able to tell a
   * deleted document from a revoked permission. An unknown user is therefore a 403 too.
   */
  private authorize(
    ref: string,
    userId: string,
    needed: keyof FilePermissions,
  ): { record: DocumentRecord; permissions: FilePermissions } {
    const record = this.requireRecord(ref);
    return { record, permissions: this.permissionsOn(record, userId, needed) };
  }

  /** The user's permissions on `record`; throws 403 unless they include read and `needed`. */
  private permissionsOn(record: DocumentRecord, userId: string, needed?: keyof FilePermissions): FilePermissions {
    const permissions = this.permissionsOf(userId, record);
    if (!permissions.read) {
      throw DemoCoreError.forbidden(`user ${JSON.stringify(userId)} may not access this file`);
    }
    if (needed !== undefined && !permissions[needed]) {
      throw DemoCoreError.forbidden(`user ${JSON.stringify(userId)} lacks the ${needed} permission on this file`);
    }
    return permissions;
  }

  /**
   * Takes `permissions` from the user on every document, owner or not, until changed (an empty
   * list gives them back): what an access change made in the core app looks like (test switch).
   */
  withdrawPermissions(userId: string, permissions: readonly (keyof FilePermissions)[]): void {
    if (permissions.length === 0) this.withdrawn.delete(userId);
    else this.withdrawn.set(userId, new Set(permissions));
  }

  /**
   * A private document (uploaded or created on the pages) gives its owner everything, a user it
   * was shared with the editor or viewer permissions, and everyone else nothing. On other
   * documents a share adds to the workspace role. This is the answer the gateway receives, so a
   * share (or taking it back) changes what the next session and every CheckFileInfo allow.
   */
  private permissionsOf(userId: string, record: DocumentRecord): FilePermissions {
    const user = findDemoUser(userId);
    const sharing = this.sharing.get(record.ref);
    const fromRole =
      sharing?.private === true && user !== undefined && user.id !== record.ownerId
        ? permissionsFor(undefined, record.ownerId)
        : permissionsFor(user, record.ownerId);
    const shared = user === undefined ? undefined : sharing?.shares[user.id];
    const fromShare = permissionsFor(
      shared === undefined ? undefined : { id: userId, role: SHARE_ROLES[shared] },
      record.ownerId,
    );
    const granted = Object.fromEntries(
      Object.entries(fromRole).map(([name, allowed]) => [name, allowed || fromShare[name as keyof FilePermissions]]),
    ) as unknown as FilePermissions;
    const withdrawn = this.withdrawn.get(userId);
    if (withdrawn === undefined) return granted;
    const entries = Object.entries(granted).map(([name, allowed]) => [
      name,
      allowed && !withdrawn.has(name as keyof FilePermissions),
    ]);
    return Object.fromEntries(entries) as unknown as FilePermissions;
  }

  private requireRecord(ref: string): DocumentRecord {
    const record = this.store.get(ref);
    if (record === undefined) throw DemoCoreError.fileNotFound(ref);
    return record;
  }

  private toMetadata(record: DocumentRecord, permissions: FilePermissions): FileMetadata {
    return {
      ...toSummary(record),
      sha256: record.sha256,
      ownerId: record.ownerId,
      permissions,
      urls: this.links.urlsFor(record.ref),
      breadcrumb: this.links.breadcrumb(),
    };
  }

  /** Reports a client that went away mid-upload as its failure, not a server error. */
  private async readBody<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (isClientAbort(error)) throw DemoCoreError.badRequest('request body ended before it was complete');
      throw error;
    }
  }
}

const SHARE_ROLES: Readonly<Record<ShareRole, DemoRole>> = {
  [ShareRole.Editor]: DemoRole.Editor,
  [ShareRole.Viewer]: DemoRole.Viewer,
};

/** Throws 412 with the current version when `condition` is set and not met by `record`. */
function checkIfMatch(condition: IfMatchCondition | undefined, record: DocumentRecord): void {
  if (condition !== undefined && !ifMatchSatisfied(condition, record.version)) {
    throw DemoCoreError.versionMismatch(record.version);
  }
}

function isClientAbort(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (
    code === 'ECONNRESET' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    (error as Error | undefined)?.message === 'aborted'
  );
}

function toSummary(record: DocumentRecord): FileSummary {
  return {
    ref: record.ref,
    name: record.name,
    size: record.size,
    version: record.version,
    lastModifiedTime: record.lastModifiedTime,
  };
}
