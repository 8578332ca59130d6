import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { validateSync } from 'class-validator';
import { MissingParameterError, ParameterError } from '../errors';
import { ParamReader } from './param-reader';
import { collectParams, RequestLike } from './request-params';
import { isSafeKey } from './url-decoding';

/** Base of every parameter DTO: the validated fields plus the whole merged parameter map. */
export abstract class PiDto {
  declare readonly params: ParamReader;
}

type DtoClass<T extends PiDto> = new () => T;

const CACHE = Symbol('piParams');

/** Merged request parameters (README "Parameter parsing"), computed once per request. */
export function requestParams(req: RequestLike & { [CACHE]?: Record<string, unknown> }) {
  return (req[CACHE] ??= collectParams(req));
}

/**
 * Builds and validates a DTO from privacyIDEA-style parameters. Fields are copied with numbers and
 * booleans turned into strings; objects and arrays are left for IsString to refuse.
 */
export function buildDto<T extends PiDto>(cls: DtoClass<T>, raw: Record<string, unknown>): T {
  const dto = new cls();
  // Own keys only, and never one that would reach the DTO's prototype chain.
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === undefined || !isSafeKey(key)) continue;
    (dto as Record<string, unknown>)[key] =
      typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  }
  const errors = validateSync(dto, {
    whitelist: true,
    stopAtFirstError: true,
    forbidUnknownValues: false,
  });
  if (errors.length > 0) {
    const first = errors[0];
    const message =
      Object.values(first.constraints ?? {})[0] ?? `Invalid parameter ${first.property}`;
    if (message.startsWith('Missing parameter: ')) throw new MissingParameterError(first.property);
    throw new ParameterError(message);
  }
  Object.defineProperty(dto, 'params', { value: new ParamReader(raw), enumerable: false });
  return dto;
}

/** Like PiParams, for upload endpoints: multipart fields and files count as parameters too. */
export const PiUploadParams = createParamDecorator((cls: DtoClass<PiDto>, ctx: ExecutionContext) =>
  buildDto(cls, collectParams(ctx.switchToHttp().getRequest<RequestLike>(), { multipart: true })),
);

/** `@PiParams(CheckDto) dto: CheckDto` — parameters from query, form, JSON and path, validated. */
export const PiParams = createParamDecorator((cls: DtoClass<PiDto>, ctx: ExecutionContext) =>
  buildDto(cls, requestParams(ctx.switchToHttp().getRequest<RequestLike>())),
);
