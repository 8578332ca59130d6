import type { FastifyReply } from 'fastify';
import { Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import multipart from '@fastify/multipart';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { loadConfig } from './config/app-config';
import { FormBody } from './common/params/request-params';
import { parseUrlEncoded } from './common/params/url-decoding';
import { errorEnvelope } from './common/envelope';
import { ErrorCode } from './common/errors';
import { ROUTE_TABLES, RouteTable } from './common/route-table';

export const BODY_LIMIT = 1024 * 1024;

/** A JSON object hidden in a body of another content type still counts (README "Parameter parsing"). */
function lenientJsonObject(text: string): unknown {
  const t = text.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export interface CreateAppOptions {
  logger?: false | ('error' | 'warn' | 'log' | 'debug' | 'verbose' | 'fatal')[];
  /** Extra modules (e.g. a test-only token type) loaded next to the application module. */
  extraModules?: Type[];
}

function rootModule(extra: Type[] = []): Type {
  if (extra.length === 0) return AppModule;
  @Module({ imports: [AppModule, ...extra] })
  class ExtendedAppModule {}
  return ExtendedAppModule;
}

/** Builds the HTTP application exactly as production runs it; tests use the same function. */
export async function createApp(opts: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const config = loadConfig(process.env);
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT,
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
    // Errors the router raises before Nest sees the request (e.g. a malformed URL).
    frameworkErrors: (_error: unknown, _req: unknown, reply: FastifyReply) => {
      void reply
        .code(400)
        .type('application/json; charset=utf-8')
        .send(errorEnvelope(config.versions, ErrorCode.PARAMETER, 'ERR905: Invalid request URL'));
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    rootModule(opts.extraModules),
    adapter,
    {
      bodyParser: false,
      bufferLogs: true,
      ...(opts.logger !== undefined || config.logLevel === 'silent'
        ? { logger: opts.logger ?? loggerLevels(config.logLevel) }
        : {}),
    },
  );
  if (opts.logger === undefined && config.logLevel !== 'silent') app.useLogger(app.get(PinoLogger));
  const fastify = app.getHttpAdapter().getInstance();
  // Multipart (token file uploads): fields and the file land in the body like form values.
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: BODY_LIMIT, files: 1, fields: 50, fieldSize: 64 * 1024, parts: 60 },
  });
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: BODY_LIMIT },
    (_req, body, done) => done(null, new FormBody(parseUrlEncoded(body as string))),
  );
  // Any other content type contributes no parameters (and is never parsed as XML).
  fastify.addContentTypeParser(
    '*',
    { parseAs: 'string', bodyLimit: BODY_LIMIT },
    (_req, body, done) => done(null, lenientJsonObject(body as string)),
  );
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser(
    'text/plain',
    { parseAs: 'string', bodyLimit: BODY_LIMIT },
    (_req, body, done) => done(null, lenientJsonObject(body as string)),
  );
  registerRouteTable(app);
  app.enableShutdownHooks();
  setupSwagger(app);
  await app.init();
  return app;
}

/** Records every route so the exception filter can answer 405 for a known path (RouteTable). */
function registerRouteTable(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const table = new RouteTable();
  ROUTE_TABLES.set(fastify, table);
  fastify.addHook('onRoute', (route) => table.add(route.method, route.url));
}

export function setupSwagger(app: NestFastifyApplication): void {
  const doc = new DocumentBuilder()
    .setTitle('MFA token engine')
    .setDescription(
      'privacyIDEA-compatible token engine. /validate/* and /ttype/* need no credential; ' +
        '/token/* and /validate/triggerchallenge need a JWT (Authorization: Bearer <jwt>, ' +
        'a bare JWT, or PI-Authorization). Parameters may be sent as query string, form or JSON.',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, doc);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

function loggerLevels(level: string) {
  const all = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
  if (level === 'silent') return false as const;
  const index = { fatal: 0, error: 1, warn: 2, info: 3, log: 3, debug: 4, verbose: 5 }[level] ?? 3;
  return all.slice(0, index + 1) as unknown as ('error' | 'warn' | 'log')[];
}
