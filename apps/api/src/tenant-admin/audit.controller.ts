import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminScope, RequireScope, TenantFromQuery } from './admin-scope';
import { AuditQueryDto } from './audit.dto';
import { AuditService } from './audit.service';
import { pageOf } from './page-query.dto';

/** GET /admin/v1/audit?tenant=: every admin action, newest first. */
@Controller('admin/v1/audit')
@UseGuards(AdminAuthGuard)
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequireScope(AdminScope.Read)
  @TenantFromQuery()
  list(@Query() query: AuditQueryDto) {
    // A key confined to one tenant gets here only with ?tenant= naming it (AdminAuthGuard).
    return this.audit.list(query.tenant, pageOf(query));
  }
}
