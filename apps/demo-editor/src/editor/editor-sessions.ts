import { createHash, randomBytes } from 'node:crypto';
import {
  type DocumentFormat,
  formatOf,
  readDocumentText,
  type TextField,
  UnsupportedDocumentError,
  writeDocumentText,
} from '../documents/document-text';
import type { WopiAnswer, WopiCallRecord, WopiClient, WopiOperation, WopiTarget } from '../wopi/wopi-client';
import { DemoEditorError, DemoEditorErrorCode } from './demo-editor.error';

/** The CheckFileInfo properties the editor uses (files/CheckFileInfo.rst). */
export interface FileInfo {
  BaseFileName?: string;
  Version?: string;
  UserId?: string;
  UserFriendlyName?: string;
  UserCanWrite?: boolean;
  ReadOnly?: boolean;
  SupportsLocks?: boolean;
  SupportsUpdate?: boolean;
  SupportsCoauth?: boolean;
  PostMessageOrigin?: string;
  FileSharingPostMessage?: boolean;
  FileVersionPostMessage?: boolean;
  ClosePostMessage?: boolean;
}

interface LoadedDocument {
  version: string;
  bytes: Buffer;
  fields: TextField[];
}

interface EditorSession {
  id: string;
  target: WopiTarget;
  action: 'view' | 'edit';
  /** The same for every editor of a document (Office's co-authoring lock): one lock, many editors. */
  lockId: string;
  holdsLock: boolean;
  calls: WopiCallRecord[];
  nextSeq: number;
  fileInfo?: FileInfo;
  format?: DocumentFormat;
  document?: LoadedDocument;
  readOnlyReason?: string;
  lastSeenMs: number;
}

/** What the page gets back from every call: the document's state and the WOPI calls made so far. */
export interface EditorState {
  file: {
    name: string;
    version: string | null;
    userName: string | null;
    editable: boolean;
    readOnlyReason: string | null;
    postMessageOrigin: string | null;
    sharing: boolean;
    versions: boolean;
  };
  fields: TextField[] | null;
  notice: string | null;
  calls: WopiCallRecord[];
}

/** The inspector keeps this many calls per editor (polling adds one every few seconds). */
const MAX_CALLS = 300;

/**
 * The demo editor's sessions, one per editor window, and the WOPI call sequence of Office for the
 * web: CheckFileInfo → Lock → GetFile on open, RefreshLock while open, PutFile on save, Unlock on
 * close. Editors of one document share one lock string (co-authoring): the lock is taken by the
 * first and released when the last one closes. A save merges onto the newest version: the fields
 * this editor changed go onto what the others saved, unless someone changed the same field.
 */
export class EditorSessions {
  private readonly sessions = new Map<string, EditorSession>();
  private readonly lockHolders = new Map<string, Set<string>>();

  constructor(
    private readonly wopi: WopiClient,
    private readonly staleAfterMs: number,
  ) {}

  start(target: WopiTarget, action: 'view' | 'edit'): string {
    const id = randomBytes(16).toString('base64url');
    const documentKey = createHash('sha256').update(new URL(target.wopiSrc).href).digest('hex').slice(0, 32);
    this.sessions.set(id, {
      id,
      target,
      action,
      lockId: `demo-editor-coauth-${documentKey}`,
      holdsLock: false,
      calls: [],
      nextSeq: 1,
      lastSeenMs: Date.now(),
    });
    return id;
  }

  /** CheckFileInfo → Lock (edit, when the host supports locks and the user may write) → GetFile. */
  async open(id: string): Promise<EditorState> {
    const session = this.session(id);
    const info = await this.checkFileInfo(session);
    session.format = formatOf(info.BaseFileName ?? '');
    if (!session.format) {
      session.readOnlyReason = `the demo editor cannot show ${info.BaseFileName ?? 'this file'}`;
      return this.state(session);
    }
    if (session.action === 'edit') {
      if (!info.UserCanWrite || info.ReadOnly) session.readOnlyReason = 'you may only view this document';
      else if (!info.SupportsUpdate) session.readOnlyReason = 'the host does not take saves (SupportsUpdate)';
      else if (info.SupportsLocks) await this.lock(session);
    } else {
      session.readOnlyReason = 'opened for viewing';
    }
    await this.load(session);
    return this.state(session);
  }

  /** The timer of an open editor: keeps the shared lock alive (it expires after 30 minutes). */
  async refreshLock(id: string): Promise<EditorState> {
    const session = this.session(id);
    if (!session.holdsLock) return this.state(session);
    const answer = await this.call(session, 'RefreshLock', { headers: { 'X-WOPI-Lock': session.lockId } });
    if (answer.status === 409) {
      // The lock expired or was released (an operator, an admin API call): take it again.
      await this.lock(session);
      return this.state(session, 'the lock had been lost and was taken again');
    }
    if (answer.status !== 200) throw failed(answer.record);
    return this.state(session);
  }

  /** CheckFileInfo; a new Version is loaded with GetFile when the page has no unsaved edits. */
  async poll(id: string, reloadIfChanged: boolean): Promise<EditorState & { changed: boolean }> {
    const session = this.session(id);
    const info = await this.checkFileInfo(session);
    const changed = session.document !== undefined && info.Version !== session.document.version;
    if (changed && reloadIfChanged && session.format) {
      await this.load(session);
      return { ...this.state(session, `version ${session.document!.version} loaded`), changed };
    }
    return { ...this.state(session), changed };
  }

  /** PutFile of the document with the changed fields, merged onto the newest version. */
  async save(id: string, edited: Record<string, string>): Promise<EditorState> {
    const session = this.session(id);
    if (session.readOnlyReason || !session.format || !session.document) {
      throw new DemoEditorError(DemoEditorErrorCode.ReadOnly, `Cannot save: ${session.readOnlyReason ?? 'not open'}`);
    }
    const base = session.document;
    const changes = new Map<string, string>();
    for (const field of base.fields) {
      const text = edited[field.id];
      if (field.editable && typeof text === 'string' && text !== field.text) changes.set(field.id, text);
    }
    if (changes.size === 0) return this.state(session, 'nothing to save');

    const latest = await this.getFile(session);
    if (latest.version !== base.version) {
      // A co-author saved meanwhile: keep their work, refuse only where both changed one field.
      const theirs = new Map(readDocumentText(session.format, latest.bytes).map((field) => [field.id, field.text]));
      const clashes = [...changes].filter(([fieldId, text]) => {
        const before = base.fields.find((field) => field.id === fieldId)!.text;
        const now = theirs.get(fieldId);
        return now === undefined || (now !== before && now !== text);
      });
      if (clashes.length > 0) {
        session.document = { ...latest, fields: readDocumentText(session.format, latest.bytes) };
        throw new DemoEditorError(
          DemoEditorErrorCode.EditConflict,
          `Someone saved a change to the same text meanwhile (${clashes.map(([fieldId]) => labelOf(base, fieldId)).join(', ')}); their version is loaded, make your change again.`,
        );
      }
    }
    let bytes: Buffer;
    try {
      bytes = writeDocumentText(session.format, latest.bytes, changes);
    } catch (error) {
      if (error instanceof UnsupportedDocumentError) {
        throw new DemoEditorError(DemoEditorErrorCode.UnsupportedDocument, error.message);
      }
      throw error;
    }
    let answer = await this.putFile(session, bytes);
    if (answer.status === 409 && session.fileInfo?.SupportsLocks && !answer.headers.get('x-wopi-lock')) {
      // Not locked any more (expired): lock again and save once more.
      await this.lock(session);
      answer = await this.putFile(session, bytes);
    }
    if (answer.status !== 200) throw failed(answer.record);
    const version = answer.headers.get('x-wopi-itemversion') ?? (await this.checkFileInfo(session)).Version ?? '';
    session.document = { version, bytes, fields: readDocumentText(session.format, bytes) };
    return this.state(session, `saved as version ${version}`);
  }

  /** Unlock, unless co-authors of the document still edit under the shared lock. */
  async close(id: string): Promise<EditorState> {
    const session = this.session(id);
    const state = await this.release(session);
    this.sessions.delete(id);
    return state;
  }

  /** Editors whose page stopped calling (closed tab, lost network) are closed as if they had closed. */
  async sweep(nowMs = Date.now()): Promise<void> {
    for (const session of [...this.sessions.values()]) {
      if (nowMs - session.lastSeenMs <= this.staleAfterMs) continue;
      this.sessions.delete(session.id);
      await this.release(session).catch(() => undefined);
    }
  }

  /** Closes every editor (shutdown): the locks they share are released. */
  async closeAll(): Promise<void> {
    for (const session of [...this.sessions.values()]) {
      this.sessions.delete(session.id);
      await this.release(session).catch(() => undefined);
    }
  }

  private async release(session: EditorSession): Promise<EditorState> {
    if (!session.holdsLock) return this.state(session, 'closed');
    session.holdsLock = false;
    const holders = this.lockHolders.get(session.lockId);
    holders?.delete(session.id);
    if (holders && holders.size > 0) return this.state(session, 'closed; the co-authors still editing keep the lock');
    this.lockHolders.delete(session.lockId);
    const answer = await this.call(session, 'Unlock', { headers: { 'X-WOPI-Lock': session.lockId } });
    if (answer.status !== 200 && answer.status !== 409) throw failed(answer.record);
    return this.state(session, 'closed and unlocked');
  }

  private async lock(session: EditorSession): Promise<void> {
    const answer = await this.call(session, 'Lock', { headers: { 'X-WOPI-Lock': session.lockId } });
    if (answer.status === 200) {
      session.holdsLock = true;
      const holders = this.lockHolders.get(session.lockId) ?? new Set<string>();
      holders.add(session.id);
      this.lockHolders.set(session.lockId, holders);
      return;
    }
    if (answer.status === 409) {
      const reason = answer.headers.get('x-wopi-lockfailurereason');
      session.readOnlyReason = `another editor has the document locked${reason ? ` (${reason})` : ''}`;
      return;
    }
    throw failed(answer.record);
  }

  private async load(session: EditorSession): Promise<void> {
    const file = await this.getFile(session);
    try {
      session.document = { ...file, fields: readDocumentText(session.format!, file.bytes) };
    } catch (error) {
      if (!(error instanceof UnsupportedDocumentError)) throw error;
      session.readOnlyReason = `the document cannot be read: ${error.message}`;
      session.document = { ...file, fields: [] };
    }
  }

  private async checkFileInfo(session: EditorSession): Promise<FileInfo> {
    const answer = await this.call(session, 'CheckFileInfo', {});
    if (answer.status !== 200) throw failed(answer.record);
    try {
      session.fileInfo = JSON.parse(answer.body.toString('utf8')) as FileInfo;
    } catch {
      throw new DemoEditorError(DemoEditorErrorCode.WopiCallFailed, 'CheckFileInfo did not answer JSON');
    }
    return session.fileInfo;
  }

  private async getFile(session: EditorSession): Promise<{ version: string; bytes: Buffer }> {
    const answer = await this.call(session, 'GetFile', {});
    if (answer.status !== 200) throw failed(answer.record);
    const version = answer.headers.get('x-wopi-itemversion') ?? session.fileInfo?.Version ?? '';
    return { version, bytes: answer.body };
  }

  private putFile(session: EditorSession, bytes: Buffer): Promise<WopiAnswer> {
    return this.call(session, 'PutFile', {
      headers: {
        ...(session.holdsLock ? { 'X-WOPI-Lock': session.lockId } : {}),
        ...(session.fileInfo?.UserId ? { 'X-WOPI-Editors': session.fileInfo.UserId } : {}),
      },
      body: bytes,
    });
  }

  private async call(
    session: EditorSession,
    operation: WopiOperation,
    options: { headers?: Record<string, string>; body?: Buffer },
  ): Promise<WopiAnswer> {
    const answer = await this.wopi.call(session.target, operation, { ...options, seq: session.nextSeq++ });
    session.calls.push(answer.record);
    if (session.calls.length > MAX_CALLS) session.calls.splice(0, session.calls.length - MAX_CALLS);
    return answer;
  }

  private session(id: string): EditorSession {
    const session = this.sessions.get(id);
    if (!session) {
      throw new DemoEditorError(
        DemoEditorErrorCode.SessionNotFound,
        'This editor was closed; open the document again.',
      );
    }
    session.lastSeenMs = Date.now();
    return session;
  }

  private state(session: EditorSession, notice?: string): EditorState {
    const info = session.fileInfo ?? {};
    return {
      file: {
        name: info.BaseFileName ?? '',
        version: session.document?.version ?? info.Version ?? null,
        userName: info.UserFriendlyName ?? null,
        editable: !session.readOnlyReason && session.document !== undefined,
        readOnlyReason: session.readOnlyReason ?? null,
        postMessageOrigin: info.PostMessageOrigin ?? null,
        sharing: info.FileSharingPostMessage === true,
        versions: info.FileVersionPostMessage === true,
      },
      fields: session.document?.fields ?? null,
      notice: notice ?? null,
      calls: session.calls,
    };
  }
}

function labelOf(document: LoadedDocument, fieldId: string): string {
  return document.fields.find((field) => field.id === fieldId)?.label ?? fieldId;
}

function failed(record: WopiCallRecord): DemoEditorError {
  const outcome = record.status === 0 ? (record.error ?? 'no answer') : `HTTP ${record.status}`;
  return new DemoEditorError(DemoEditorErrorCode.WopiCallFailed, `${record.operation} failed: ${outcome}`);
}
