import { type ArgumentsHost, Catch, type ExceptionFilter, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/**
 * Probes answer in Terminus's own shape (`{status, info, error, details}`), which orchestrators and
 * dashboards read; they are not part of the API error catalogue.
 */
@Catch(ServiceUnavailableException)
export class HealthCheckErrorFilter implements ExceptionFilter {
  catch(error: ServiceUnavailableException, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<FastifyReply>().code(503).send(error.getResponse());
  }
}
