import type { FilePermissions } from '@wopi/access-tokens';
import type { FileVersion } from '@wopi/db';
import type { CoreFile, CoreUser } from '@wopi/core-app-client';
import type { TenantConfig } from '@wopi/tenancy';
import { type CheckFileInfo, FILE_NAME_MAX_LENGTH, splitFileName, toIsoRoundTrip } from '@wopi/wopi';
import { wopiUserId } from './wopi-context';

export interface CheckFileInfoInput {
  tenant: TenantConfig;
  userId: string;
  /** The token's permissions intersected with the core app's answer now. */
  permissions: FilePermissions;
  core: CoreFile;
  user?: CoreUser;
  userInfo?: string;
  version: FileVersion;
  publicBaseUrl: string;
}

/**
 * CheckFileInfo from one source of truth: Version, Size, SHA256 and LastModifiedTime all come from
 * the same ledger version (stored when the content changed); names, permissions and URLs from the
 * core app's answer. Properties without a value are left undefined, which JSON.stringify omits:
 * they are never sent as null (_fragments/param_types.rst). No copy without them is made, since
 * this runs on every CheckFileInfo and the answer is only ever serialized.
 */
/** What CheckFileInfo says of a version, formatted once per version object (versions are cached and never change). */
const versionFacts = new WeakMap<FileVersion, { sha256: string | undefined; lastModifiedTime: string }>();

function factsOf(version: FileVersion): { sha256: string | undefined; lastModifiedTime: string } {
  let facts = versionFacts.get(version);
  if (!facts) {
    facts = {
      sha256: version.sha256 ? Buffer.from(version.sha256, 'hex').toString('base64') : undefined,
      lastModifiedTime: toIsoRoundTrip(version.modifiedAt),
    };
    versionFacts.set(version, facts);
  }
  return facts;
}

export function buildCheckFileInfo(input: CheckFileInfoInput): CheckFileInfo {
  const { tenant, permissions, core, version } = input;
  const features = tenant.features;
  const canWrite = permissions.write;
  const facts = factsOf(version);
  return {
    BaseFileName: core.name,
    OwnerId: wopiUserId(tenant.id, core.ownerId),
    Size: Number(version.sizeBytes),
    UserId: wopiUserId(tenant.id, input.userId),
    Version: String(version.number),
    SHA256: facts.sha256,
    LastModifiedTime: facts.lastModifiedTime,
    FileExtension: splitFileName(core.name).extension || undefined,
    FileNameMaxLength: FILE_NAME_MAX_LENGTH,

    UserFriendlyName: input.user?.displayName,
    IsAnonymousUser: false,
    UserInfo: features.userInfo ? (input.userInfo ?? '') : undefined,
    LicenseCheckForEditIsEnabled: features.businessUserFlow ? true : undefined,

    ReadOnly: !canWrite,
    UserCanWrite: canWrite,
    UserCanRename: features.rename && canWrite && permissions.rename,
    UserCanNotWriteRelative: !(features.putRelativeFile && permissions.createSibling),

    SupportsLocks: true,
    SupportsGetLock: true,
    SupportsExtendedLockLength: true,
    SupportsUpdate: true,
    SupportsRename: features.rename,
    SupportsDeleteFile: features.deleteFile,
    SupportsUserInfo: features.userInfo,

    CloseUrl: core.urls?.close,
    HostViewUrl: core.urls?.view,
    HostEditUrl: core.urls?.edit,
    FileSharingUrl: permissions.share ? core.urls?.share : undefined,
    FileVersionUrl: core.urls?.versions,
    BreadcrumbBrandName: core.breadcrumb?.brandName,
    BreadcrumbBrandUrl: core.breadcrumb?.brandUrl,
    BreadcrumbDocName: core.name,
    BreadcrumbFolderName: core.breadcrumb?.folderName,
    BreadcrumbFolderUrl: core.breadcrumb?.folderUrl ?? core.urls?.folder,
    // The host page is served by the gateway, so its origin is the gateway's.
    PostMessageOrigin: new URL(input.publicBaseUrl).origin,
    // Messages the host page handles (host-page.script.ts): the editor sends them instead of navigating.
    ClosePostMessage: true,
    EditModePostMessage: core.urls?.edit ? true : undefined,
    FileSharingPostMessage: permissions.share && core.urls?.share ? true : undefined,
    FileVersionPostMessage: core.urls?.versions ? true : undefined,
  };
}
