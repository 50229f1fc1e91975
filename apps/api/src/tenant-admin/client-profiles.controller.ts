import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { actorOf, AdminScope, type RequestWithAdmin, RequireScope } from './admin-scope';
import { type ClientProfileView, CreateClientProfileDto, UpdateClientProfileDto } from './client-profile.dto';
import { ClientProfilesService } from './client-profiles.service';

/** The WOPI clients (Office, Collabora, ONLYOFFICE, the validator) a tenant's sessions open in. */
@Controller('admin/v1/tenants/:slug/client-profiles')
@UseGuards(AdminAuthGuard)
export class ClientProfilesController {
  constructor(private readonly profiles: ClientProfilesService) {}

  @Post()
  @HttpCode(201)
  @RequireScope(AdminScope.Write)
  create(
    @Req() request: RequestWithAdmin,
    @Param('slug') slug: string,
    @Body() body: CreateClientProfileDto,
  ): Promise<ClientProfileView> {
    return this.profiles.create(slug, body, actorOf(request));
  }

  @Get()
  @RequireScope(AdminScope.Read)
  list(@Param('slug') slug: string) {
    return this.profiles.list(slug);
  }

  @Patch(':id')
  @RequireScope(AdminScope.Write)
  update(
    @Req() request: RequestWithAdmin,
    @Param('slug') slug: string,
    @Param('id') id: string,
    @Body() body: UpdateClientProfileDto,
  ): Promise<ClientProfileView> {
    return this.profiles.update(slug, id, body, actorOf(request));
  }

  @Delete(':id')
  @HttpCode(200)
  @RequireScope(AdminScope.Write)
  delete(@Req() request: RequestWithAdmin, @Param('slug') slug: string, @Param('id') id: string) {
    return this.profiles.delete(slug, id, actorOf(request));
  }
}
