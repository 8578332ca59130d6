import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  Inject,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { errorEnvelope } from './envelope';
import { ErrorCode, PiError } from './errors';
import { ROUTE_TABLES } from './route-table';

interface WireError {
  status: number;
  code: number;
  message: string;
  detail?: Record<string, unknown> | null;
}

/** Fastify's own client errors (body parsing, limits) as privacyIDEA envelopes. */
function fastifyClientError(code: string | undefined, status: number): WireError | undefined {
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: ErrorCode.PARAMETER, message: 'ERR905: Request body too large' };
    case 'FST_ERR_CTP_INVALID_JSON':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: ErrorCode.PARAMETER, message: 'ERR905: Invalid JSON body' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 400, code: ErrorCode.PARAMETER, message: 'ERR905: Invalid request body' };
  }
  if (status === 400)
    return { status: 400, code: ErrorCode.PARAMETER, message: 'ERR905: Invalid request' };
  return undefined;
}

/**
 * Every error leaves as privacyIDEA's JSON error envelope: client errors with their 4xx status and
 * code, everything else as a generic 500 — never a stack trace, driver message or secret.
 */
@Catch()
export class PiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    let err = this.toWire(exception);
    if (err.status === 404 && !(exception instanceof PiError) && req) {
      // Not routed for this method, but for others: 405 (README "Transport").
      const methods = ROUTE_TABLES.get(req.server)?.methodsFor(req.url) ?? [];
      if (methods.length > 0)
        err = { status: 405, code: ErrorCode.GENERIC, message: 'Method not allowed' };
    }
    void reply
      .status(err.status)
      .type('application/json; charset=utf-8')
      .send(errorEnvelope(this.config.versions, err.code, err.message, err.detail ?? null));
  }

  private toWire(exception: unknown): WireError {
    if (exception instanceof PiError) {
      return {
        status: exception.httpStatus,
        code: exception.code,
        message: exception.wireMessage,
        detail: exception.detail,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const cause = exception.cause as { code?: string } | undefined;
      const fromFastify = fastifyClientError(cause?.code, status);
      if (fromFastify && status < 500) return fromFastify;
      if (status === 404) {
        return {
          status,
          code: ErrorCode.RESOURCE_NOT_FOUND,
          message: 'The requested resource could not be found.',
        };
      }
      if (status === 405) return { status, code: ErrorCode.GENERIC, message: 'Method not allowed' };
      if (status === 413) return fastifyClientError('FST_ERR_CTP_BODY_TOO_LARGE', status)!;
      if (status === 503) {
        return { status, code: ErrorCode.DATABASE, message: 'ERR902: Service not ready' };
      }
      if (status < 500) {
        return {
          status,
          code: ErrorCode.PARAMETER,
          message: `ERR905: ${exception.message}`.slice(0, 200),
        };
      }
    }
    const fe = exception as { code?: string; statusCode?: number } | undefined;
    if (fe && typeof fe.statusCode === 'number' && fe.statusCode < 500) {
      const mapped = fastifyClientError(fe.code, fe.statusCode);
      if (mapped) return mapped;
    }
    this.logger.error(
      `unexpected error: ${exception instanceof Error ? `${exception.name}: ${exception.message}` : 'unknown'}`,
    );
    return { status: 500, code: -500, message: 'ERR-500: Internal server error' };
  }
}
