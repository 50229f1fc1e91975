/**
 * Every HTTP header name the gateway reads or writes on the WOPI surface, lowercase: Node lowercases
 * incoming names, so the parser reads these keys, and lowercase names are valid for HTTP/1.1 and
 * required for HTTP/2 responses. Sources: MS rest/common_headers.rst, rest/files/*.rst,
 * learn plus/coauthoring/wopi-locks.md, Collabora wsd/reference.md (PutFile headers, timestamps).
 */
export const WopiHeader = {
  // Standard request headers (rest/common_headers.rst): logging and correlation only.
  Authorization: 'authorization',
  RequestId: 'x-request-id',
  CorrelationId: 'x-wopi-correlationid',
  SessionId: 'x-wopi-sessionid',
  ClientVersion: 'x-wopi-clientversion',
  AppEndpoint: 'x-wopi-appendpoint',
  RequestingApplication: 'x-wopi-requestingapplication',
  DeviceId: 'x-wopi-deviceid',
  MachineName: 'x-wopi-machinename',
  /** Session context from the action URL's SESSION_CONTEXT placeholder (CheckFileInfo). */
  SessionContext: 'x-wopi-sessioncontext',

  // Proof keys (online/scenarios/proofkeys.rst).
  Proof: 'x-wopi-proof',
  ProofOld: 'x-wopi-proofold',
  TimeStamp: 'x-wopi-timestamp',

  // Standard response headers.
  ServerError: 'x-wopi-servererror',
  ServerVersion: 'x-wopi-serverversion',
  HostEndpoint: 'x-wopi-hostendpoint',

  // Operation headers (rest/files/*.rst).
  Override: 'x-wopi-override',
  Lock: 'x-wopi-lock',
  OldLock: 'x-wopi-oldlock',
  LockFailureReason: 'x-wopi-lockfailurereason',
  ItemVersion: 'x-wopi-itemversion',
  MaxExpectedSize: 'x-wopi-maxexpectedsize',
  Size: 'x-wopi-size',
  SuggestedTarget: 'x-wopi-suggestedtarget',
  RelativeTarget: 'x-wopi-relativetarget',
  OverwriteRelativeTarget: 'x-wopi-overwriterelativetarget',
  ValidRelativeTarget: 'x-wopi-validrelativetarget',
  RequestedName: 'x-wopi-requestedname',
  InvalidFileNameError: 'x-wopi-invalidfilenameerror',
  FileConversion: 'x-wopi-fileconversion',
  Editors: 'x-wopi-editors',
  UrlType: 'x-wopi-urltype',
  FileExtensionFilterList: 'x-wopi-fileextensionfilterlist',

  // WOPI lock extensions (learn plus/coauthoring/wopi-locks.md).
  LockExpirationTimeout: 'x-wopi-lockexpirationtimeout',
  LockUserVisible: 'x-wopi-lockuservisible',
  ConflictingLockUsername: 'x-wopi-conflictinglockusername',

  // Collabora Online PutFile extensions. The X-LOOL- spellings predate the 2021 LOOL -> COOL rename;
  // ONLYOFFICE still documents them, and COOL sent both during the transition.
  CoolTimestamp: 'x-cool-wopi-timestamp',
  LoolTimestamp: 'x-lool-wopi-timestamp',
  CoolIsModifiedByUser: 'x-cool-wopi-ismodifiedbyuser',
  LoolIsModifiedByUser: 'x-lool-wopi-ismodifiedbyuser',
  CoolIsAutosave: 'x-cool-wopi-isautosave',
  LoolIsAutosave: 'x-lool-wopi-isautosave',
  CoolIsExitSave: 'x-cool-wopi-isexitsave',
  LoolIsExitSave: 'x-lool-wopi-isexitsave',

  // Plain HTTP headers the error mapping writes.
  ContentType: 'content-type',
  RetryAfter: 'retry-after',
} as const;

export type WopiHeaderName = (typeof WopiHeader)[keyof typeof WopiHeader];
