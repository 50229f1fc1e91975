import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { type RevocationResponse, RevokeAccessDto } from './revoke-access.dto';
import { RevocationService } from './revocation.service';
import { ApiRateLimitGuard } from '../rate-limit/api-rate-limit.guard';
import { type RequestWithTenant, SessionApiKeyGuard } from './session-api-key.guard';

/** A core app ends access it no longer grants (a user, a user on one file, or one session). */
@Controller('api/v1/revocations')
@UseGuards(SessionApiKeyGuard, ApiRateLimitGuard)
export class RevocationController {
  constructor(private readonly revocations: RevocationService) {}

  @Post()
  @HttpCode(201)
  revoke(@Req() request: RequestWithTenant, @Body() body: RevokeAccessDto): Promise<RevocationResponse> {
    return this.revocations.revoke(request.tenant!, body, {
      apiKeyId: request.apiKeyId ?? 'unknown',
      requestId: String(request.id),
    });
  }
}
