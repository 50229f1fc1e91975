import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** The Fastify instance under Nest (Nest's own fastify copy, whose types differ from the root one). */
export type ApiHttpServer = ReturnType<ReturnType<NestFastifyApplication['getHttpAdapter']>['getInstance']>;
