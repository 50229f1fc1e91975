import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { CreateSessionDto, type SessionResponse } from './create-session.dto';
import { RenewSessionDto } from './renew-session.dto';
import { ApiRateLimitGuard } from '../rate-limit/api-rate-limit.guard';
import { type RequestWithTenant, SessionApiKeyGuard } from './session-api-key.guard';
import { SessionService } from './session.service';

/** The session API of core apps: open an editor session, renew its token. */
@Controller('api/v1/sessions')
@UseGuards(SessionApiKeyGuard, ApiRateLimitGuard)
export class SessionController {
  constructor(private readonly sessions: SessionService) {}

  @Post()
  @HttpCode(201)
  create(@Req() request: RequestWithTenant, @Body() body: CreateSessionDto): Promise<SessionResponse> {
    return this.sessions.create(request.tenant!, body);
  }

  /** A new token (and host-page link) for a running session; permissions are asked afresh. */
  @Post('renew')
  @HttpCode(200)
  renew(@Req() request: RequestWithTenant, @Body() body: RenewSessionDto): Promise<SessionResponse> {
    return this.sessions.renew(request.tenant!, body);
  }
}
