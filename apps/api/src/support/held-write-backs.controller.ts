import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import { VersionLedger, WriteBackScheduler } from '@wopi/file-registry';
import { AuditLogRepository } from '@wopi/tenancy';
import { AdminApiKeyGuard, type RequestWithAdmin } from './admin-api-key.guard';

/**
 * Saves the core app refused at write-back (permission withdrawn, file gone, too large: ADR 0021)
 * wait here for an operator, with their bytes and the reason: list them, send one again once the
 * cause is fixed, or discard one with a reason. Unlike failed jobs (`./failed`), they live in
 * PostgreSQL, so a Redis loss does not hide them.
 */
@Controller('admin/v1/write-backs/held')
@UseGuards(AdminApiKeyGuard)
export class HeldWriteBacksController {
  constructor(
    private readonly ledger: VersionLedger,
    private readonly scheduler: WriteBackScheduler,
    private readonly audit: AuditLogRepository,
  ) {}

  @Get()
  async list(@Query('limit') limit = '100') {
    const held = await this.ledger.held(Math.min(Math.max(Number(limit) || 100, 1), 1000));
    return {
      held: held.map((version) => ({
        versionId: version.id,
        tenantId: version.file.tenantId,
        fileId: version.fileId,
        fileName: version.file.name,
        versionNumber: version.number,
        savedBy: version.savedBy,
        sizeBytes: Number(version.sizeBytes),
        reason: version.holdReason,
        detail: version.writeBackError,
        heldAt: version.heldAt?.toISOString(),
      })),
    };
  }

  @Post(':versionId/retry')
  @HttpCode(200)
  async retry(@Req() request: RequestWithAdmin, @Param('versionId', ParseUUIDPipe) versionId: string) {
    const held = await this.heldVersion(versionId);
    const version = await this.ledger.releaseHold(versionId);
    if (!version) throw new NotFoundException('No held write-back with that version id');
    await this.scheduler.requeue(version.id);
    await this.audit.record({
      tenantId: held.file.tenantId,
      actor: `apikey:${request.admin!.keyId}`,
      action: 'write_back.retried',
      target: `file:${held.fileId}`,
      details: { versionNumber: held.number, heldFor: held.holdReason },
      requestId: String(request.id),
    });
    return { versionId, state: version.writeBackState };
  }

  @Post(':versionId/discard')
  @HttpCode(200)
  async discard(
    @Req() request: RequestWithAdmin,
    @Param('versionId', ParseUUIDPipe) versionId: string,
    @Body() body: { reason?: unknown },
  ) {
    if (typeof body?.reason !== 'string' || body.reason.trim().length < 3)
      throw new BadRequestException('A reason (at least 3 characters) is required');
    const held = await this.heldVersion(versionId);
    await this.ledger.discard(held, body.reason);
    await this.audit.record({
      tenantId: held.file.tenantId,
      actor: `apikey:${request.admin!.keyId}`,
      action: 'write_back.discarded',
      target: `file:${held.fileId}`,
      details: { versionNumber: held.number, heldFor: held.holdReason, reason: body.reason },
      requestId: String(request.id),
    });
    return { versionId, discarded: true };
  }

  private async heldVersion(versionId: string) {
    const held = await this.ledger.findHeld(versionId);
    if (!held) throw new NotFoundException('No held write-back with that version id');
    return held;
  }
}
