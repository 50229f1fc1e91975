/** The WOPI file operations the gateway recognises, named as in the spec (MS rest/files/*.rst). */
export enum WopiOperation {
  CheckFileInfo = 'CheckFileInfo',
  GetFile = 'GetFile',
  PutFile = 'PutFile',
  Lock = 'Lock',
  GetLock = 'GetLock',
  RefreshLock = 'RefreshLock',
  Unlock = 'Unlock',
  UnlockAndRelock = 'UnlockAndRelock',
  PutRelativeFile = 'PutRelativeFile',
  RenameFile = 'RenameFile',
  DeleteFile = 'DeleteFile',
  PutUserInfo = 'PutUserInfo',
  GetShareUrl = 'GetShareUrl',
}

/**
 * X-WOPI-Override values of the operations above. Lock and UnlockAndRelock share `LOCK`; the
 * presence of X-WOPI-OldLock tells them apart (UnlockAndRelock.rst).
 */
export const WopiOverride = {
  Put: 'PUT',
  PutRelative: 'PUT_RELATIVE',
  Lock: 'LOCK',
  GetLock: 'GET_LOCK',
  RefreshLock: 'REFRESH_LOCK',
  Unlock: 'UNLOCK',
  RenameFile: 'RENAME_FILE',
  Delete: 'DELETE',
  PutUserInfo: 'PUT_USER_INFO',
  GetShareUrl: 'GET_SHARE_URL',
} as const;

export type WopiOverrideValue = (typeof WopiOverride)[keyof typeof WopiOverride];
