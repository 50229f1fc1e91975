import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { actorOf, AdminScope, type RequestWithAdmin, RequireScope } from './admin-scope';
import { DiscardWriteBackDto, FailedWriteBacksQueryDto } from './file-support.dto';
import { WriteBackSupportService } from './write-back-support.service';

/** Failed write-backs across tenants (keys over every tenant, `support` scope). */
@Controller('admin/v1/write-backs')
@UseGuards(AdminAuthGuard)
@RequireScope(AdminScope.Support)
export class WriteBackSupportController {
  constructor(private readonly writeBacks: WriteBackSupportService) {}

  @Get('failed')
  failed(@Query() query: FailedWriteBacksQueryDto) {
    return this.writeBacks.failed(Number(query.limit ?? 100), Number(query.offset ?? 0));
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
