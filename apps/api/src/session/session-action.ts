import type { FilePermissions } from '@wopi/access-tokens';
import type { TenantFeatures } from '@wopi/tenancy';

/** The WOPI actions a core app can open a session for (discovery.rst "WOPI actions"). */
export const SESSION_ACTIONS = ['view', 'edit', 'editnew', 'convert', 'embedview'] as const;
export type SessionAction = (typeof SESSION_ACTIONS)[number];

/** Why the user may not run this action on the file, or null when they may. */
export function actionProblem(
  action: SessionAction,
  permissions: FilePermissions,
  features: TenantFeatures,
): string | null {
  if (!permissions.read) return 'the user may not read this file';
  switch (action) {
    case 'view':
    case 'embedview':
      return null;
    case 'edit':
      return permissions.write ? null : 'the user may not edit this file';
    case 'editnew':
      // createnew.rst: the client writes the template with PutFile on the (empty) file.
      return permissions.write ? null : 'the user may not write this file, so editnew cannot fill it';
    case 'convert':
      // conversion.rst: the converted document is saved next to the original with PutRelativeFile.
      if (!features.putRelativeFile) return 'PutRelativeFile is switched off for this tenant, so convert cannot save';
      return permissions.createSibling
        ? null
        : 'the user may not create files next to this one, so convert cannot save';
  }
}

/**
 * The permissions a session's token carries. Read-only actions never carry write, rename or delete,
 * even for an editor: the client must not save from a view. convert keeps createSibling only (the
 * original stays as it is; the converted copy is a new file).
 */
export function tokenPermissions(action: SessionAction, permissions: FilePermissions): FilePermissions {
  switch (action) {
    case 'edit':
    case 'editnew':
      return { ...permissions };
    case 'view':
    case 'embedview':
    case 'convert':
      return { ...permissions, write: false, rename: false, delete: false };
  }
}

export function isSessionAction(value: string): value is SessionAction {
  return (SESSION_ACTIONS as readonly string[]).includes(value);
}
