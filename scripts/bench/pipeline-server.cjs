#!/usr/bin/env node
'use strict';
/**
 * The `pipeline` phase of `npm run bench`: what Nest's request pipeline costs per request, measured
 * before deciding whether the WOPI routes should be native Fastify routes (issue 10). One Fastify
 * instance serves the same ~60-field JSON twice: through a Nest controller shaped like
 * WopiFilesController (class guard, exception filter, a custom parameter decorator, @Req and @Res)
 * at /nest/files/:fileId, and as a native Fastify route doing the same work at
 * /native/files/:fileId. The difference in server CPU per request is the pipeline's price.
 */
require('reflect-metadata');
const {
  Catch,
  Controller,
  Get,
  Injectable,
  Module,
  Req,
  Res,
  UseFilters,
  UseGuards,
  createParamDecorator,
} = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');

const body = JSON.stringify(Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`Property${i}`, `value ${i}`])));

// The guard puts what it resolved on the request, as WopiAuthGuard does.
class ContextGuard {
  async canActivate(context) {
    context.switchToHttp().getRequest().wopi = { fileId: context.switchToHttp().getRequest().params.fileId };
    return true;
  }
}
Reflect.decorate([Injectable()], ContextGuard);

class AnswerFilter {
  catch(_error, host) {
    host.switchToHttp().getResponse().code(500).send();
  }
}
Reflect.decorate([Catch()], AnswerFilter);

const Context = createParamDecorator((_data, context) => context.switchToHttp().getRequest().wopi);

class FilesController {
  async checkFileInfo(_context, _request, reply) {
    reply.header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
Reflect.decorate(
  [Get(':fileId')],
  FilesController.prototype,
  'checkFileInfo',
  Object.getOwnPropertyDescriptor(FilesController.prototype, 'checkFileInfo'),
);
Context()(FilesController.prototype, 'checkFileInfo', 0);
Req()(FilesController.prototype, 'checkFileInfo', 1);
Res()(FilesController.prototype, 'checkFileInfo', 2);
Reflect.decorate([Controller('nest/files'), UseGuards(ContextGuard), UseFilters(AnswerFilter)], FilesController);

class PipelineModule {}
Reflect.decorate([Module({ controllers: [FilesController], providers: [ContextGuard] })], PipelineModule);

(async () => {
  const app = await NestFactory.create(PipelineModule, new FastifyAdapter(), { logger: false });
  app
    .getHttpAdapter()
    .getInstance()
    .get('/native/files/:fileId', async (request, reply) => {
      request.wopi = { fileId: request.params.fileId };
      reply.header('content-type', 'application/json; charset=utf-8').send(body);
      return reply;
    });
  await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  process.stdout.write(`${await app.getUrl()}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
})();
