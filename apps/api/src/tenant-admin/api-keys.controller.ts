import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { actorOf, AdminScope, type RequestWithAdmin, RequireScope } from './admin-scope';
import { type ApiKeyView, CreateSessionApiKeyDto, type NewApiKeyView, RotateApiKeyDto } from './api-key.dto';
import { ApiKeysService } from './api-keys.service';
import { PageQueryDto, pageOf } from './page-query.dto';

/** A tenant's session API keys, held by its core app. */
@Controller('admin/v1/tenants/:slug/api-keys')
@UseGuards(AdminAuthGuard)
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** 201 with the key in `key`: shown this once, stored hashed. */
  @Post()
  @HttpCode(201)
  @RequireScope(AdminScope.Write)
  create(
    @Req() request: RequestWithAdmin,
    @Param('slug') slug: string,
    @Body() body: CreateSessionApiKeyDto,
  ): Promise<NewApiKeyView> {
    return this.keys.createSessionKey(slug, body, actorOf(request));
  }

  @Get()
  @RequireScope(AdminScope.Read)
  list(@Param('slug') slug: string, @Query() query: PageQueryDto) {
    return this.keys.listSessionKeys(slug, pageOf(query));
  }

  @Post(':keyId/rotate')
  @HttpCode(201)
  @RequireScope(AdminScope.Write)
  async rotate(
    @Req() request: RequestWithAdmin,
    @Param('slug') slug: string,
    @Param('keyId') keyId: string,
    @Body() body: RotateApiKeyDto,
  ): Promise<NewApiKeyView> {
    return this.keys.rotate(await this.keys.sessionKeysOf(slug), keyId, body, actorOf(request));
  }

  @Delete(':keyId')
  @HttpCode(200)
  @RequireScope(AdminScope.Write)
  async revoke(
    @Req() request: RequestWithAdmin,
    @Param('slug') slug: string,
    @Param('keyId') keyId: string,
  ): Promise<ApiKeyView> {
    return this.keys.revoke(await this.keys.sessionKeysOf(slug), keyId, actorOf(request));
  }
}
