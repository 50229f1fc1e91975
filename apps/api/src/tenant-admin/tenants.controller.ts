import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { actorOf, AdminScope, type RequestWithAdmin, RequireScope } from './admin-scope';
import { PageQueryDto, pageOf } from './page-query.dto';
import {
  CreateTenantDto,
  DeleteTenantQueryDto,
  RotateCoreAppSecretDto,
  type TenantView,
  UpdateTenantDto,
} from './tenant.dto';
import { TenantsService } from './tenants.service';

/** Tenants: onboarding, settings, suspension, deletion and core-app secret rotation. */
@Controller('admin/v1/tenants')
@UseGuards(AdminAuthGuard)
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @HttpCode(201)
  @RequireScope(AdminScope.Write)
  create(@Req() request: RequestWithAdmin, @Body() body: CreateTenantDto): Promise<TenantView> {
    return this.tenants.create(body, actorOf(request));
  }

  @Get()
  @RequireScope(AdminScope.Read)
  list(@Query() query: PageQueryDto) {
    return this.tenants.list(pageOf(query));
  }

  @Get(':slug')
  @RequireScope(AdminScope.Read)
  get(@Param('slug') slug: string): Promise<TenantView> {
    return this.tenants.get(slug);
  }

  @Patch(':slug')
  @RequireScope(AdminScope.Write)
  update(@Req() request: RequestWithAdmin, @Param('slug') slug: string, @Body() body: UpdateTenantDto) {
    return this.tenants.update(slug, body, actorOf(request));
  }

  @Post(':slug/suspend')
  @HttpCode(200)
  @RequireScope(AdminScope.Write)
  suspend(@Req() request: RequestWithAdmin, @Param('slug') slug: string): Promise<TenantView> {
    return this.tenants.suspend(slug, actorOf(request));
  }

  @Post(':slug/resume')
  @HttpCode(200)
  @RequireScope(AdminScope.Write)
  resume(@Req() request: RequestWithAdmin, @Param('slug') slug: string): Promise<TenantView> {
    return this.tenants.resume(slug, actorOf(request));
  }

  @Delete(':slug')
  @HttpCode(200)
  @RequireScope(AdminScope.Write)
  delete(@Req() request: RequestWithAdmin, @Param('slug') slug: string, @Query() query: DeleteTenantQueryDto) {
    return this.tenants.delete(slug, query, actorOf(request));
  }

  @Post(':slug/core-app-secret')
  @HttpCode(200)
  @RequireScope(AdminScope.Write)
  rotateCoreAppSecret(
    @Req() request: RequestWithAdmin,
    @Param('slug') slug: string,
    @Body() body: RotateCoreAppSecretDto,
  ): Promise<{ activeFrom: string }> {
    return this.tenants.rotateCoreAppSecret(slug, body, actorOf(request));
  }
}
