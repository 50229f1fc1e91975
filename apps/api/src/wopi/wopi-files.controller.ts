import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { Controller, Get, HttpCode, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { parseWopiRequest, type WopiRequestPath, WopiError, WopiHeader, WopiOperation } from '@wopi/wopi';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type WopiContext, Wopi } from './wopi-context';
import { WopiAuthGuard } from './wopi-auth.guard';
import { WopiErrorFilter } from './wopi-error.filter';
import { WopiContentService } from './wopi-content.service';
import { WopiFileInfoService } from './wopi-file-info.service';
import { WopiLocksService } from './wopi-locks.service';
import { WopiNamesService } from './wopi-names.service';

const JSON_TYPE = 'application/json; charset=utf-8';

/** WOPI REST for files: routes and headers only; every decision is one of the operation-family services'. */
@Controller('wopi/files')
@UseGuards(WopiAuthGuard)
@UseFilters(WopiErrorFilter)
export class WopiFilesController {
  constructor(
    private readonly fileInfo: WopiFileInfoService,
    private readonly content: WopiContentService,
    private readonly locks: WopiLocksService,
    private readonly names: WopiNamesService,
  ) {}

  @Get(':fileId')
  async checkFileInfo(@Wopi() ctx: WopiContext, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    this.parse(request, 'files', ctx);
    reply.header('content-type', JSON_TYPE).send(JSON.stringify(await this.fileInfo.checkFileInfo(ctx)));
  }

  @Get(':fileId/contents')
  async getFile(@Wopi() ctx: WopiContext, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const parsed = this.parse(request, 'contents', ctx);
    if (parsed.operation !== WopiOperation.GetFile) throw WopiError.notImplemented();
    const download = await this.content.getFile(ctx, parsed.maxExpectedSizeBytes);
    reply
      .header(WopiHeader.ItemVersion, String(download.itemVersion))
      .header('content-type', 'application/octet-stream')
      .header('content-length', String(download.sizeBytes))
      .send(download.stream);
  }

  @Post(':fileId/contents')
  @HttpCode(200)
  async putFile(@Wopi() ctx: WopiContext, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const parsed = this.parse(request, 'contents', ctx);
    if (parsed.operation !== WopiOperation.PutFile) throw WopiError.notImplemented();
    const result = await this.content.putFile(ctx, parsed, bodyOf(request), declaredLength(request));
    reply.header(WopiHeader.ItemVersion, String(result.itemVersion));
    if (result.body) reply.header('content-type', JSON_TYPE).send(JSON.stringify(result.body));
    else reply.send();
  }

  @Post(':fileId')
  @HttpCode(200)
  async files(@Wopi() ctx: WopiContext, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const parsed = this.parse(request, 'files', ctx);
    switch (parsed.operation) {
      case WopiOperation.Lock:
        return reply
          .header(WopiHeader.ItemVersion, String(await this.locks.lock(ctx, parsed.lock, parsed.lockTtlMs)))
          .send();
      case WopiOperation.UnlockAndRelock:
        return reply
          .header(
            WopiHeader.ItemVersion,
            String(await this.locks.unlockAndRelock(ctx, parsed.oldLock, parsed.lock, parsed.lockTtlMs)),
          )
          .send();
      case WopiOperation.RefreshLock:
        await this.locks.refreshLock(ctx, parsed.lock, parsed.lockTtlMs);
        return reply.send();
      case WopiOperation.Unlock:
        return reply.header(WopiHeader.ItemVersion, String(await this.locks.unlock(ctx, parsed.lock))).send();
      case WopiOperation.GetLock:
        // Unlocked: 200 with X-WOPI-Lock set to '' (GetLock spec).
        return reply.header(WopiHeader.Lock, await this.locks.getLock(ctx)).send();
      case WopiOperation.PutRelativeFile:
        // The answer's Url carries an access token for the new file: no cache may keep it.
        return reply
          .header('content-type', JSON_TYPE)
          .header('cache-control', 'no-store')
          .send(
            JSON.stringify(await this.names.putRelativeFile(ctx, parsed, bodyOf(request), declaredLength(request))),
          );
      case WopiOperation.RenameFile:
        return reply.header('content-type', JSON_TYPE).send(JSON.stringify(await this.names.renameFile(ctx, parsed)));
      case WopiOperation.DeleteFile:
        await this.names.deleteFile(ctx);
        return reply.send();
      case WopiOperation.PutUserInfo:
        await this.fileInfo.putUserInfo(ctx, await readSmallBody(bodyOf(request)));
        return reply.send();
      default:
        throw WopiError.notImplemented(`${parsed.operation} is not supported`);
    }
  }

  /** Identifies the operation; an operation the tenant switched off is a 501 before any 400. */
  private parse(request: FastifyRequest, path: WopiRequestPath, ctx: WopiContext) {
    const result = parseWopiRequest({ method: request.method, path, headers: request.headers });
    if (result.ok) return result.request;
    if (result.operation && isSwitchedOff(result.operation, ctx))
      throw WopiError.notImplemented(`${result.operation} is switched off`);
    throw result.error;
  }
}

function isSwitchedOff(operation: WopiOperation, ctx: WopiContext): boolean {
  const features = ctx.tenant.features;
  switch (operation) {
    case WopiOperation.PutRelativeFile:
      return !features.putRelativeFile;
    case WopiOperation.RenameFile:
      return !features.rename;
    case WopiOperation.DeleteFile:
      return !features.deleteFile;
    case WopiOperation.PutUserInfo:
      return !features.userInfo;
    default:
      return false;
  }
}

/** The request body as a stream: the catch-all content-type parser leaves it unread (create-app.ts). */
function bodyOf(request: FastifyRequest): Readable {
  const body = request.body as Readable | undefined;
  return body && typeof body.pipe === 'function' ? body : (request.raw as IncomingMessage);
}

function declaredLength(request: FastifyRequest): number | undefined {
  const value = Number(request.headers['content-length']);
  return Number.isFinite(value) ? value : undefined;
}

const SMALL_BODY_LIMIT_BYTES = 64 * 1024;

async function readSmallBody(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > SMALL_BODY_LIMIT_BYTES) throw WopiError.badRequest('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
