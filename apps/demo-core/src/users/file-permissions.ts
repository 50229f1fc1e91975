/** What one user may do with one document, as the gateway receives it. */
export interface FilePermissions {
  readonly read: boolean;
  readonly write: boolean;
  readonly rename: boolean;
  readonly delete: boolean;
  readonly createSibling: boolean;
  readonly share: boolean;
}

/**
 * Workspace-wide roles. demo-core has no per-document sharing: a user's role applies to every
 * document, and a document's owner may always do everything with it.
 */
export enum DemoRole {
  Manager = 'manager',
  Editor = 'editor',
  Viewer = 'viewer',
  NoAccess = 'no-access',
}

const ALL: FilePermissions = { read: true, write: true, rename: true, delete: true, createSibling: true, share: true };
const NONE: FilePermissions = {
  read: false,
  write: false,
  rename: false,
  delete: false,
  createSibling: false,
  share: false,
};

export const ROLE_PERMISSIONS: Readonly<Record<DemoRole, FilePermissions>> = {
  [DemoRole.Manager]: ALL,
  [DemoRole.Editor]: { read: true, write: true, rename: true, delete: false, createSibling: true, share: true },
  [DemoRole.Viewer]: { ...NONE, read: true },
  [DemoRole.NoAccess]: NONE,
};

/** Permissions of a user with `role` (undefined: unknown user) on a document owned by `ownerId`. */
export function permissionsFor(
  user: { readonly id: string; readonly role: DemoRole } | undefined,
  ownerId: string,
): FilePermissions {
  if (user === undefined) return NONE;
  if (user.id === ownerId) return ALL;
  return ROLE_PERMISSIONS[user.role];
}
