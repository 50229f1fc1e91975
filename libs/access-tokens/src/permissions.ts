/** What a user may do with one file, as the core app answered when the token was issued. */
export interface FilePermissions {
  read: boolean;
  write: boolean;
  rename: boolean;
  delete: boolean;
  createSibling: boolean;
  share: boolean;
}

// One letter per permission keeps tokens short (WOPI clients limit the token to a few KB in URLs).
const CODES: Record<keyof FilePermissions, string> = {
  read: 'r',
  write: 'w',
  rename: 'n',
  delete: 'd',
  createSibling: 'c',
  share: 's',
};

export function encodePermissions(permissions: FilePermissions): string {
  return (Object.keys(CODES) as (keyof FilePermissions)[])
    .filter((p) => permissions[p])
    .map((p) => CODES[p])
    .join('');
}

export function decodePermissions(code: string): FilePermissions {
  const has = (p: keyof FilePermissions) => code.includes(CODES[p]);
  return {
    read: has('read'),
    write: has('write'),
    rename: has('rename'),
    delete: has('delete'),
    createSibling: has('createSibling'),
    share: has('share'),
  };
}
