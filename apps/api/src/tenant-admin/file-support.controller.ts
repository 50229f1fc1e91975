import { Controller, Delete, Get, HttpCode, Param, Query, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { actorOf, AdminScope, type RequestWithAdmin, RequireScope } from './admin-scope';
import { FileLookupQueryDto, ReleaseLockQueryDto } from './file-support.dto';
import { FileSupportService } from './file-support.service';
import { PageQueryDto, pageOf } from './page-query.dto';

/** Support's view of a tenant's files: by id or core reference, versions, lock, pending saves. */
@Controller('admin/v1/tenants/:slug/files')
@UseGuards(AdminAuthGuard)
@RequireScope(AdminScope.Support)
export class FileSupportController {
  constructor(private readonly files: FileSupportService) {}

  /** `?coreRef=`: the gateway's file for a core-app document. */
  @Get()
  findByCoreRef(@Param('slug') slug: string, @Query() query: FileLookupQueryDto) {
    return this.files.findByCoreRef(slug, query.coreRef);
  }

  @Get(':fileId')
  get(@Param('slug') slug: string, @Param('fileId') fileId: string) {
    return this.files.get(slug, fileId);
  }

  @Get(':fileId/versions')
  versions(@Param('slug') slug: string, @Param('fileId') fileId: string, @Query() query: PageQueryDto) {
    return this.files.versions(slug, fileId, pageOf(query));
  }

  /** Who holds the file's WOPI lock, since when, how often refreshed. */
  @Get(':fileId/lock')
  lock(@Param('slug') slug: string, @Param('fileId') fileId: string) {
    return this.files.lock(slug, fileId);
  }

  /** Releases exactly the lock inspected (`?expectedLockId=`); 409 when it changed meanwhile. */
  @Delete(':fileId/lock')
  @HttpCode(200)
  releaseLock(
    @Req() request: RequestWithAdmin,
    @Param('slug') slug: string,
    @Param('fileId') fileId: string,
    @Query() query: ReleaseLockQueryDto,
  ) {
    return this.files.releaseLock(slug, fileId, query.expectedLockId, actorOf(request));
  }
}
