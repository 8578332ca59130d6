import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { getMetadataStorage, validateSync } from 'class-validator';
import { MissingParameterError, ParameterError } from '../errors';
import { FieldRule, fieldRulesOf, surelyValid } from './param-fields';
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
 * booleans turned into strings; objects and arrays are left for IsString to refuse. Values that
 * surely pass skip class-validator (hot path); the result is the same either way.
 */
export function buildDto<T extends PiDto>(cls: DtoClass<T>, given: Record<string, unknown>): T {
  const raw = withoutEmptyOptionals(cls, given);
  const dto = surelyValidDto(cls, raw) ?? validatedDto(cls, raw);
  Object.defineProperty(dto, 'params', { value: new ParamReader(raw), enumerable: false });
  return dto;
}

/** Per DTO class: its optional fields for which '' means "not given" (lists, no allowEmpty). */
const EMPTY_MEANS_ABSENT = new WeakMap<DtoClass<PiDto>, Set<string>>();

function emptyMeansAbsent(cls: DtoClass<PiDto>): Set<string> {
  let names = EMPTY_MEANS_ABSENT.get(cls);
  if (!names) {
    names = new Set<string>();
    for (const [key, rule] of fieldRulesOf(cls)) {
      if (!rule.required && (rule.list || !rule.allowEmpty)) names.add(key);
    }
    EMPTY_MEANS_ABSENT.set(cls, names);
  }
  return names;
}

/**
 * An empty value of an optional field is treated as absent (README "Parameter parsing"), for the
 * DTO and for its ParamReader alike: a form or explorer that sends every field, cleared ones as
 * `prefix=&realm=`, means "not given". Fields where '' is meaningful (`pass`, `pin`,
 * `description`, validity periods: allowEmpty) keep it. The request's map is never modified; a
 * copy is made only when something is dropped.
 */
function withoutEmptyOptionals(
  cls: DtoClass<PiDto>,
  raw: Record<string, unknown>,
): Record<string, unknown> {
  const names = emptyMeansAbsent(cls);
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(raw)) {
    if (raw[key] !== '' || !names.has(key)) continue;
    copy ??= Object.assign(Object.create(null) as Record<string, unknown>, raw);
    delete copy[key];
  }
  return copy ?? raw;
}

function storedValue(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

/** The DTO with class-validator's checks (whitelist, first error becomes the answer). */
function validatedDto<T extends PiDto>(cls: DtoClass<T>, raw: Record<string, unknown>): T {
  const dto = new cls();
  // Own keys only, and never one that would reach the DTO's prototype chain.
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === undefined || !isSafeKey(key)) continue;
    (dto as Record<string, unknown>)[key] = storedValue(value);
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
  return dto;
}

/** Per DTO class: its field rules when they describe all its class-validator checks, else null. */
const FAST_RULES = new WeakMap<DtoClass<PiDto>, Map<string, FieldRule> | null>();

/**
 * Fields and checks of `cls` all come from param-fields' decorators, and a fresh instance has no
 * own property beyond them: only then may class-validator be skipped for values that surely pass.
 * The metadata is read with the options validatedDto validates with.
 */
function fastRules(cls: DtoClass<PiDto>): Map<string, FieldRule> | null {
  let rules = FAST_RULES.get(cls);
  if (rules !== undefined) return rules;
  rules = fieldRulesOf(cls);
  const metadata = getMetadataStorage().getTargetValidationMetadatas(
    cls,
    undefined as unknown as string,
    false,
    false,
    undefined,
  );
  let expected = 0;
  for (const r of rules.values()) expected += r.constraints;
  const complete =
    rules.size > 0 &&
    metadata.length === expected &&
    metadata.every((m) => rules!.has(m.propertyName)) &&
    Object.keys(new cls()).every((k) => rules!.has(k));
  if (!complete) rules = null;
  FAST_RULES.set(cls, rules);
  return rules;
}

/** Whether buildDto may skip class-validator for `cls` (all its checks are param-fields'). */
export function hasCompleteFieldRules(cls: DtoClass<PiDto>): boolean {
  return fastRules(cls) !== null;
}

/**
 * The DTO validatedDto would return, without running class-validator, when every value surely
 * passes; undefined whenever anything is in doubt (validatedDto then decides, errors included).
 * Equivalent to class-validator's whitelist: only the DTO's fields are copied, in request order.
 * A key that class-validator's whitelist would look up on Object.prototype (e.g.
 * `hasOwnProperty`) is left to validatedDto as well.
 */
function surelyValidDto<T extends PiDto>(
  cls: DtoClass<T>,
  raw: Record<string, unknown>,
): T | undefined {
  const rules = fastRules(cls);
  if (!rules) return undefined;
  const dto = new cls();
  const fields = dto as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    const value = raw[key];
    if (value === null || value === undefined || !isSafeKey(key)) continue;
    const rule = rules.get(key);
    if (!rule) {
      if (key in Object.prototype) return undefined;
      continue;
    }
    const stored = storedValue(value);
    if (!surelyValid(rule, stored)) return undefined;
    fields[key] = stored;
  }
  for (const [key, rule] of rules) {
    if (rule.required && fields[key] === undefined) return undefined;
  }
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
