import { type INestApplication, Injectable, type Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { ApiErrorCode } from '../api-errors/api-error';

/** Where the document and its browsable UI are served (loopback assets from swagger-ui-dist, no CDN). */
export const OPENAPI_JSON_PATH = '/openapi.json';
const SCHEMAS = '#/components/schemas/';

/** Path prefixes that are not the gateway's own API: the WOPI protocol is Microsoft's to document. */
const UNDOCUMENTED_PREFIXES = ['/wopi/'];

/** Tag of an operation, from the controller Nest names it after (`TenantsController_create`). */
const TAG_BY_CONTROLLER: Record<string, string> = {
  SessionController: 'sessions',
  RevocationController: 'sessions',
  ConversionController: 'conversions',
  TenantsController: 'admin: tenants',
  ClientProfilesController: 'admin: client profiles',
  ApiKeysController: 'admin: keys',
  AdminKeysController: 'admin: keys',
  AuditController: 'admin: audit',
  FileSupportController: 'admin: support',
  WriteBackSupportController: 'admin: support',
  HostPageController: 'host page',
  HealthController: 'health',
};

/**
 * The OpenAPI 3 document of the gateway's own HTTP APIs, generated from the code: routes and
 * parameters from the controllers (@nestjs/swagger), body schemas from the DTOs' class-validator
 * rules (class-validator-jsonschema), so a rule cannot change without the document changing.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('WOPI Gateway')
    .setDescription(
      'Session, renewal, revocation and conversion APIs for core apps (tenant session key), and the admin API ' +
        '(admin key with scopes read, write, support). Every failure is `{error: {code, message, field?}}` ' +
        '(docs/api-errors.md).',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'wgk_<keyId>_<secret>' })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  for (const path of Object.keys(document.paths)) {
    if (UNDOCUMENTED_PREFIXES.some((prefix) => path.startsWith(prefix))) delete document.paths[path];
  }
  const schemas = validationMetadatasToSchemas({ refPointerPrefix: SCHEMAS }) as Record<string, object>;
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...schemas, ApiErrorBody: API_ERROR_BODY_SCHEMA },
  };
  const queryDtos = queryDtosByOperation(app);
  for (const [path, item] of Object.entries(document.paths)) {
    for (const operation of Object.values(item)) {
      if (!operation || typeof operation !== 'object' || !('responses' in operation)) continue;
      const queryDto = queryDtos.get(String(operation.operationId));
      const querySchema = queryDto && (schemas[queryDto.name] as JsonSchema | undefined);
      if (querySchema?.properties) {
        operation.parameters = [
          ...(operation.parameters ?? []),
          ...Object.entries(querySchema.properties).map(([name, schema]) => ({
            name,
            in: 'query' as const,
            required: querySchema.required?.includes(name) ?? false,
            schema,
          })),
        ];
      }
      const controller = String(operation.operationId ?? '').split('_')[0] + 'Controller';
      operation.tags = [TAG_BY_CONTROLLER[controller] ?? 'other'];
      if (path.startsWith('/api/') || path.startsWith('/admin/')) {
        operation.security = [{ bearer: [] }];
        operation.responses.default = {
          description: 'An error from the catalogue (docs/api-errors.md)',
          content: { 'application/json': { schema: { $ref: `${SCHEMAS}ApiErrorBody` } } },
        };
      }
    }
  }
  return document;
}

interface JsonSchema {
  properties?: Record<string, object>;
  required?: string[];
}

/**
 * The DTO class of each handler's whole-object `@Query()`, by operation id: @nestjs/swagger shows
 * such a query only with @ApiProperty decorators, which would repeat the validation rules.
 */
function queryDtosByOperation(app: INestApplication): Map<string, Type> {
  const found = new Map<string, Type>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<
          string,
          { index: number; data?: unknown }
        >;
        const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, method) ?? []) as Type[];
        for (const [key, arg] of Object.entries(args)) {
          // Keys are `<paramtype>:<index>`; `data` is set for @Query('name'), absent for a whole DTO.
          if (key.startsWith(`${RouteParamtypes.QUERY}:`) && arg.data === undefined && types[arg.index])
            found.set(`${controller.name.replace(/Controller$/, '')}_${method}`, types[arg.index]);
        }
      }
    }
  }
  return found;
}

const API_ERROR_BODY_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.values(ApiErrorCode) },
        message: { type: 'string' },
        field: { type: 'string', description: 'VALIDATION_FAILED: dotted path of the invalid field' },
        scope: { type: 'string', description: 'SCOPE_MISSING: the scope the route needs' },
        correlationId: { type: 'string', description: 'INTERNAL: quote it when reporting' },
        details: { type: 'object', description: 'CONFLICT: what is needed to try again' },
      },
    },
  },
};

/** The document, built once on first request (scanning every controller is not free). */
@Injectable()
export class OpenApiDocumentProvider {
  private build: (() => OpenAPIObject) | undefined;
  private serialized: string | undefined;

  /** createApp() hands over the application, which the document is built from. */
  attach(app: INestApplication): void {
    this.build = () => buildOpenApiDocument(app);
  }

  json(): string {
    if (this.serialized === undefined) {
      if (!this.build) throw new Error('OpenApiDocumentProvider.attach() was not called');
      this.serialized = JSON.stringify(this.build());
    }
    return this.serialized;
  }
}
