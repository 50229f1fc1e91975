import { Inject, Injectable } from '@nestjs/common';
import { type FilePermissions } from '@wopi/access-tokens';
import { CoreAppClient } from '@wopi/core-app-client';
import { FileRepository } from '@wopi/file-registry';
import { UserInfoRepository } from '@wopi/tenancy';
import { type CheckFileInfo, parseUserInfo, WopiError } from '@wopi/wopi';
import { buildCheckFileInfo } from './check-file-info.builder';
import { type WopiContext } from './wopi-context';
import { WOPI_SETTINGS, type WopiSettings } from './wopi-settings';
import { targetOf, WopiFileAccess } from './wopi-file-access';

/** CheckFileInfo and PutUserInfo: what the client is told about the file and the user. */
@Injectable()
export class WopiFileInfoService {
  constructor(
    private readonly access: WopiFileAccess,
    private readonly files: FileRepository,
    private readonly coreApps: CoreAppClient,
    private readonly userInfos: UserInfoRepository,
    @Inject(WOPI_SETTINGS) private readonly settings: WopiSettings,
  ) {}

  async checkFileInfo(ctx: WopiContext): Promise<CheckFileInfo> {
    const file = await this.access.fileOf(ctx);
    const target = targetOf(ctx);
    const [core, user, userInfo] = await Promise.all([
      this.coreApps.getFile(target, file.coreRef, ctx.userId),
      this.coreApps.getUser(target, ctx.userId).catch(() => undefined),
      ctx.tenant.features.userInfo ? this.userInfos.get(ctx.tenant.id, ctx.userId) : undefined,
    ]);
    if (!core.permissions.read) throw WopiError.fileNotFound('the core app no longer lets this user read the file');
    const version = await this.access.reconcile(file, core);
    if (core.name !== file.name) await this.files.rename(file.id, core.name);
    return buildCheckFileInfo({
      tenant: ctx.tenant,
      userId: ctx.userId,
      permissions: intersect(ctx.permissions, core.permissions),
      core,
      user,
      userInfo,
      version,
      publicBaseUrl: this.settings.publicBaseUrl,
    });
  }

  async putUserInfo(ctx: WopiContext, body: Buffer): Promise<void> {
    if (!ctx.tenant.features.userInfo) throw WopiError.notImplemented('PutUserInfo is switched off for this tenant');
    await this.access.fileOf(ctx);
    await this.userInfos.put(ctx.tenant.id, ctx.userId, parseUserInfo(body));
  }
}

function intersect(token: FilePermissions, core: FilePermissions): FilePermissions {
  return {
    read: token.read && core.read,
    write: token.write && core.write,
    rename: token.rename && core.rename,
    delete: token.delete && core.delete,
    createSibling: token.createSibling && core.createSibling,
    share: token.share && core.share,
  };
}
