import { errorCodes, type FastifyReply, type onRequestHookHandler } from 'fastify';
import { Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import multipart from '@fastify/multipart';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { loadConfig } from './config/app-config';
import { checkJwksAudience } from './config/key-material';
import { setupExplorer } from './docs/explorer';
import { FormBody } from './common/params/request-params';
import { parseUrlEncoded } from './common/params/url-decoding';
import { clientErrorHandler } from './common/client-error';
import { errorEnvelope } from './common/envelope';
import { ErrorCode } from './common/errors';
import { ROUTE_TABLES, RouteTable } from './common/route-table';
import { AppLogger } from './logging/app-logger';

/** Routes anyone may call: they get the small body limit (config.limits.validateBodyLimit). */
const UNAUTHENTICATED_ROUTE = /^\/(validate|ttype)(\/|$)/i;

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
  // Refused here, before Nest starts, so start-up fails with the ConfigError's message.
  checkJwksAudience(config);
  const { bodyLimit, validateBodyLimit } = config.limits;
  const adapter = new FastifyAdapter({
    bodyLimit,
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
    // Requests Node's parser refuses (431 oversized headers, 400 bad request line) get the envelope.
    clientErrorHandler: clientErrorHandler(config.versions),
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
      // A failed start comes back to the caller (main prints one line), not as a stack and exit.
      abortOnError: false,
      logger: opts.logger ?? appLogger(config.logLevel),
    },
  );
  const fastify = app.getHttpAdapter().getInstance();
  // Multipart (token file uploads): fields and the file land in the body like form values.
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: bodyLimit, files: 1, fields: 50, fieldSize: 64 * 1024, parts: 60 },
  });
  // The route's limit (see limitUnauthenticatedBodies) is enforced before a parser sees a body.
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer', bodyLimit },
    (_req, body, done) => done(null, new FormBody(parseUrlEncoded(body as Buffer))),
  );
  // Any other content type contributes no parameters (and is never parsed as XML).
  fastify.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_req, body, done) =>
    done(null, lenientJsonObject(body as string)),
  );
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit }, (_req, body, done) =>
    done(null, lenientJsonObject(body as string)),
  );
  limitUnauthenticatedBodies(app, validateBodyLimit);
  registerRouteTable(app);
  app.enableShutdownHooks();
  setupExplorer(app);
  await app.init();
  return app;
}

/**
 * /validate/* and /ttype/* take no credential and only small parameter sets: their bodies (any
 * content type, multipart included) are capped at `limit` so parsing work per request stays small.
 * Imports and other management routes keep the global limit.
 */
function limitUnauthenticatedBodies(app: NestFastifyApplication, limit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRoute', (route) => {
    if (!UNAUTHENTICATED_ROUTE.test(route.url)) return;
    route.bodyLimit = Math.min(route.bodyLimit ?? limit, limit);
    // A declared length over the limit is refused before any byte is read (multipart too).
    const declaredLength: onRequestHookHandler = (req, _reply, done) => {
      const length = Number(req.headers['content-length']);
      done(length > limit ? new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE() : undefined);
    };
    const own = route.onRequest;
    route.onRequest = [...(Array.isArray(own) ? own : own ? [own] : []), declaredLength];
    // Multipart bodies never count here, but are still read; keep that bounded too.
    const parts = { fileSize: limit, fieldSize: limit, files: 1, fields: 8, parts: 10 };
    route.config = { ...route.config, multipartOptions: { limits: parts } };
  });
}

/** Records every route so the exception filter can answer 405 for a known path (RouteTable). */
function registerRouteTable(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const table = new RouteTable();
  ROUTE_TABLES.set(fastify, table);
  fastify.addHook('onRoute', (route) => table.add(route.method, route.url));
}

/** LOG_LEVEL's logger from the first line on (Nest's route and module lines at debug). */
function appLogger(level: string): AppLogger | false {
  return level === 'silent' ? false : new AppLogger(level);
}
