import { Module } from '@nestjs/common';
import { DocsController } from './docs.controller';
import { OpenApiDocumentProvider } from './openapi';

/** GET /openapi.json and the Swagger UI at /docs. */
@Module({ controllers: [DocsController], providers: [OpenApiDocumentProvider], exports: [OpenApiDocumentProvider] })
export class OpenApiModule {}
