import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { actorOf, AdminScope, type RequestWithAdmin, RequireScope } from './admin-scope';
import { DiscardWriteBackDto, FailedWriteBacksQueryDto } from './file-support.dto';
import { WriteBackSupportService } from './write-back-support.service';

/** Failed and held write-backs across tenants (keys over every tenant, `support` scope). */
@Controller('admin/v1/write-backs')
@UseGuards(AdminAuthGuard)
@RequireScope(AdminScope.Support)
export class WriteBackSupportController {
  constructor(private readonly writeBacks: WriteBackSupportService) {}

  @Get('failed')
  failed(@Query() query: FailedWriteBacksQueryDto) {
    return this.writeBacks.failed(Number(query.limit ?? 100), Number(query.offset ?? 0));
  }

  @Get('held')
  held(@Query() query: FailedWriteBacksQueryDto) {
    return this.writeBacks.held(Number(query.limit ?? 100));
  }

  @Post('held/:versionId/retry')
  @HttpCode(200)
  retryHeld(@Req() request: RequestWithAdmin, @Param('versionId', ParseUUIDPipe) versionId: string) {
    return this.writeBacks.retryHeld(versionId, actorOf(request));
  }

  @Post('held/:versionId/discard')
  @HttpCode(200)
  discardHeld(
    @Req() request: RequestWithAdmin,
    @Param('versionId', ParseUUIDPipe) versionId: string,
    @Body() body: DiscardWriteBackDto,
  ) {
    return this.writeBacks.discardHeld(versionId, body.reason, actorOf(request));
  }

  @Post(':jobId/retry')
  @HttpCode(200)
  retry(@Req() request: RequestWithAdmin, @Param('jobId') jobId: string) {
    return this.writeBacks.retry(jobId, actorOf(request));
  }

  @Post(':jobId/discard')
  @HttpCode(200)
  discard(@Req() request: RequestWithAdmin, @Param('jobId') jobId: string, @Body() body: DiscardWriteBackDto) {
    return this.writeBacks.discard(jobId, body.reason, actorOf(request));
  }
}
