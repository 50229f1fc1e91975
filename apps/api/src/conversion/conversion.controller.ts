import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  PayloadTooLargeException,
  Post,
  Req,
  Res,
  UnprocessableEntityException,
  UseGuards,
} from '@nestjs/common';
import { ConversionError, ConversionErrorCode } from '@wopi/conversion';
import type { FastifyReply } from 'fastify';
import { ApiRateLimitGuard } from '../rate-limit/api-rate-limit.guard';
import { type RequestWithTenant, SessionApiKeyGuard } from '../session/session-api-key.guard';
import { toSessionHttpError } from '../session/session-http-errors';
import type { ConversionStatus } from './conversion-status';
import { ConversionDeniedError, ConversionNotFoundError } from './conversion-request.error';
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
    try {
      const accepted = await this.conversions.request(request.tenant!, body);
      reply.header('location', accepted.statusUrl);
      return accepted;
    } catch (error) {
      throw toHttpError(error);
    }
  }

  @Get(':id')
  async status(@Req() request: RequestWithTenant, @Param('id') id: string): Promise<ConversionStatus> {
    try {
      return await this.conversions.status(request.tenant!, id);
    } catch (error) {
      throw toHttpError(error);
    }
  }
}

function toHttpError(error: unknown): unknown {
  if (error instanceof ConversionDeniedError) return new ForbiddenException(error.message);
  if (error instanceof ConversionNotFoundError) return new NotFoundException(error.message);
  if (error instanceof ConversionError && error.code === ConversionErrorCode.UnsupportedConversion) {
    return new UnprocessableEntityException(error.detail);
  }
  if (error instanceof ConversionError && error.code === ConversionErrorCode.TooLarge) {
    return new PayloadTooLargeException(error.detail);
  }
  // The core app's answers to the metadata read mean the same as for a session.
  return toSessionHttpError(error);
}
