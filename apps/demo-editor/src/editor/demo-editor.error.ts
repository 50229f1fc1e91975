/** Every error the demo editor's own API answers with; the page shows `message`. */
export enum DemoEditorErrorCode {
  BadRequest = 'bad_request',
  SessionNotFound = 'session_not_found',
  ReadOnly = 'read_only',
  UnsupportedDocument = 'unsupported_document',
  /** Someone saved the same text meanwhile: reload to see it. */
  EditConflict = 'edit_conflict',
  /** The WOPI host answered an error, or not at all (the call is in the inspector). */
  WopiCallFailed = 'wopi_call_failed',
}

const STATUS: Record<DemoEditorErrorCode, number> = {
  [DemoEditorErrorCode.BadRequest]: 400,
  [DemoEditorErrorCode.SessionNotFound]: 404,
  [DemoEditorErrorCode.ReadOnly]: 409,
  [DemoEditorErrorCode.UnsupportedDocument]: 422,
  [DemoEditorErrorCode.EditConflict]: 409,
  [DemoEditorErrorCode.WopiCallFailed]: 502,
};

export class DemoEditorError extends Error {
  constructor(
    readonly code: DemoEditorErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DemoEditorError';
  }

  get status(): number {
    return STATUS[this.code];
  }
}
