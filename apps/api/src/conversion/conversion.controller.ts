import { Body, Controller, Get, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiRateLimitGuard } from '../rate-limit/api-rate-limit.guard';
import { type RequestWithTenant, SessionApiKeyGuard } from '../session/session-api-key.guard';
import type { ConversionStatus } from './conversion-status';
import { ConversionService } from './conversion.service';
import { type ConversionAccepted, CreateConversionDto } from './create-conversion.dto';

/** Server-side conversions for core apps, with the session API's tenant API key. */
@Controller('api/v1/conversions')
@UseGuards(SessionApiKeyGuard, ApiRateLimitGuard)
export class ConversionController {
  constructor(private readonly conversions: ConversionService) {}

  /** 202: queued; the worker converts, the status URL tells when the new file is there. */
  @Post()
  @HttpCode(202)
  async create(
    @Req() request: RequestWithTenant,
    @Body() body: CreateConversionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConversionAccepted> {
    const accepted = await this.conversions.request(request.tenant!, body);
    reply.header('location', accepted.statusUrl);
    return accepted;
  }

  @Get(':id')
  status(@Req() request: RequestWithTenant, @Param('id') id: string): Promise<ConversionStatus> {
    return this.conversions.status(request.tenant!, id);
  }
}
