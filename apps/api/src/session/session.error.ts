/** The user may not open the file with this action (403). */
export class SessionDeniedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionDeniedError';
  }
}

/** The session to renew is over: expired, revoked, of another tenant, or never existed (410). */
export class SessionEndedError extends Error {
  constructor(reason: string) {
    super(`The session has ended (${reason}); open a new one`);
    this.name = 'SessionEndedError';
  }
}

/** A request that names its session wrongly: neither or both of sessionId and accessToken, or an unreadable token (400). */
export class InvalidSessionReferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSessionReferenceError';
  }
}

/** A revocation names a session of another user (404: the caller mixed something up). */
export class SessionNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionNotFoundError';
  }
}

/** The session request names a WOPI client the tenant has no profile for (400). */
export class UnknownWopiClientError extends Error {
  constructor(readonly clientName: string) {
    super(`The tenant has no WOPI-client profile named "${clientName}"`);
    this.name = 'UnknownWopiClientError';
  }
}
