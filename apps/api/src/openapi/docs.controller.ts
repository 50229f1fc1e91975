import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiError } from '../api-errors/api-error';
import { OPENAPI_JSON_PATH, OpenApiDocumentProvider } from './openapi';

/** swagger-ui-dist's files, served from this process: the UI works on a machine without internet. */
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

// The page loads its start-up from a file, not an inline script, so a strict CSP can forbid inline code.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>WOPI Gateway API</title>
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script src="/docs/start.js"></script>
</body>
</html>
`;
const START = `window.ui = SwaggerUIBundle({ url: '${OPENAPI_JSON_PATH}', dom_id: '#swagger-ui', presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });\n`;

/** GET /openapi.json (the document) and GET /docs (Swagger UI over it). */
@ApiExcludeController()
@Controller()
export class DocsController {
  constructor(private readonly document: OpenApiDocumentProvider) {}

  @Get('openapi.json')
  @Header('content-type', 'application/json; charset=utf-8')
  openApi(): string {
    return this.document.json();
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }

  @Get('docs/start.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  start(): string {
    return START;
  }

  @Get('docs/:asset')
  async asset(@Param('asset') asset: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    // Only the files listed: the name never reaches the file system otherwise.
    if (!Object.hasOwn(ASSETS, asset)) throw ApiError.notFound('No such file');
    reply.header('content-type', ASSETS[asset]).header('cache-control', 'public, max-age=3600');
    return readFile(path.join(SWAGGER_UI_DIR, asset));
  }
}
