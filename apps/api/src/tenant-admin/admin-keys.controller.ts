import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { actorOf, AdminScope, type RequestWithAdmin, RequireScope } from './admin-scope';
import { type ApiKeyView, CreateAdminKeyDto, type NewApiKeyView, RotateApiKeyDto } from './api-key.dto';
import { ApiKeysService } from './api-keys.service';
import { PageQueryDto, pageOf } from './page-query.dto';

/** Operators' admin keys; only keys over every tenant manage them (a confined key gets 403). */
@Controller('admin/v1/admin-keys')
@UseGuards(AdminAuthGuard)
export class AdminKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @HttpCode(201)
  @RequireScope(AdminScope.Write)
  create(@Req() request: RequestWithAdmin, @Body() body: CreateAdminKeyDto): Promise<NewApiKeyView> {
    return this.keys.createAdminKey(body, request.admin!, actorOf(request));
  }

  @Get()
  @RequireScope(AdminScope.Read)
  list(@Query() query: PageQueryDto) {
    return this.keys.listAdminKeys(pageOf(query));
  }

  @Post(':keyId/rotate')
  @HttpCode(201)
  @RequireScope(AdminScope.Write)
  rotate(
    @Req() request: RequestWithAdmin,
    @Param('keyId') keyId: string,
    @Body() body: RotateApiKeyDto,
  ): Promise<NewApiKeyView> {
    return this.keys.rotate({ kind: 'ADMIN' }, keyId, body, actorOf(request));
  }

  @Delete(':keyId')
  @HttpCode(200)
  @RequireScope(AdminScope.Write)
  revoke(@Req() request: RequestWithAdmin, @Param('keyId') keyId: string): Promise<ApiKeyView> {
    return this.keys.revoke({ kind: 'ADMIN' }, keyId, actorOf(request));
  }
}
