import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsDefined,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
} from 'class-validator';

/**
 * Field decorators for privacyIDEA-style parameters. Every value arrives as a string (form, query)
 * or a JSON scalar already turned into its string form; objects and arrays fail `IsString`.
 */
export interface FieldOptions {
  description: string;
  maxLength?: number;
  /** Refuse C0 control characters (user, realm, serial, transaction_id, type, otpkey). */
  identifier?: boolean;
  example?: string;
  enum?: string[];
  /** '' counts as a value (pass, description). */
  allowEmpty?: boolean;
}

const NO_CONTROL_CHARS = /^[^\u0000-\u001f]*$/;

/**
 * What one field's class-validator decorators accept, recorded next to them so that buildDto can
 * skip class-validator for a request whose values surely pass (see `surelyValid`). Anything in
 * doubt (a value too long by UTF-16 count, a missing required field, …) still goes through
 * class-validator, which alone produces error messages.
 */
export interface FieldRule {
  required: boolean;
  list: boolean;
  allowEmpty: boolean;
  maxLength?: number;
  identifier: boolean;
  /** Number of class-validator decorators the field carries. */
  constraints: number;
}

/** Rules by class prototype (own fields only; see fieldRulesOf for inherited ones). */
const FIELD_RULES = new Map<object, Map<string, FieldRule>>();

function recorded(rule: FieldRule, decorator: PropertyDecorator): PropertyDecorator {
  return (target, key) => {
    if (typeof key === 'string') {
      let rules = FIELD_RULES.get(target);
      if (!rules) {
        rules = new Map<string, FieldRule>();
        FIELD_RULES.set(target, rules);
      }
      rules.set(key, rule);
    }
    decorator(target, key);
  };
}

/** The recorded rules of a DTO class, inherited fields included. */
export function fieldRulesOf(cls: abstract new () => unknown): Map<string, FieldRule> {
  const chain: object[] = [];
  let p: object | null = cls.prototype as object;
  while (p && p !== Object.prototype) {
    chain.unshift(p);
    p = Object.getPrototypeOf(p) as object | null;
  }
  const all = new Map<string, FieldRule>();
  for (const proto of chain) for (const [k, r] of FIELD_RULES.get(proto) ?? []) all.set(k, r);
  return all;
}

/**
 * True only when the field's class-validator decorators certainly accept `value` (a value as
 * buildDto stores it; undefined = absent). False means "ask class-validator", not "invalid".
 * MaxLength counts surrogate pairs as one character, so a UTF-16 length within the limit passes.
 */
export function surelyValid(rule: FieldRule, value: unknown): boolean {
  if (value === undefined) return !rule.required;
  if (rule.list) return isStringOrStringList(value);
  return (
    typeof value === 'string' &&
    (!rule.required || rule.allowEmpty || value !== '') &&
    (rule.maxLength === undefined || value.length <= rule.maxLength) &&
    (!rule.identifier || NO_CONTROL_CHARS.test(value))
  );
}

function checks(opts: FieldOptions): PropertyDecorator[] {
  const list: PropertyDecorator[] = [
    IsString({ message: 'Invalid parameter $property: a single value is expected' }),
  ];
  if (opts.maxLength !== undefined) {
    list.push(
      MaxLength(opts.maxLength, {
        message: `Invalid parameter $property: longer than ${opts.maxLength} characters`,
      }),
    );
  }
  if (opts.identifier) {
    list.push(
      Matches(NO_CONTROL_CHARS, {
        message: 'Invalid parameter $property: control characters are not allowed',
      }),
    );
  }
  return list;
}

function doc(opts: FieldOptions) {
  return {
    type: String,
    description: opts.description,
    maxLength: opts.maxLength,
    example: opts.example,
    enum: opts.enum,
  };
}

function scalarRule(opts: FieldOptions, required: boolean, constraints: number): FieldRule {
  return {
    required,
    list: false,
    allowEmpty: opts.allowEmpty ?? false,
    maxLength: opts.maxLength,
    identifier: opts.identifier ?? false,
    constraints,
  };
}

function listRule(required: boolean): FieldRule {
  return { required, list: true, allowEmpty: true, identifier: false, constraints: 2 };
}

export function RequiredField(opts: FieldOptions): PropertyDecorator {
  const presence = opts.allowEmpty ? [] : [IsNotEmpty({ message: 'Missing parameter: $property' })];
  const list = [...presence, ...checks(opts)];
  return recorded(
    scalarRule(opts, true, list.length),
    applyDecorators(ApiProperty(doc(opts)), ...list),
  );
}

export function OptionalField(opts: FieldOptions): PropertyDecorator {
  const list = [IsOptional(), ...checks(opts)];
  return recorded(
    scalarRule(opts, false, list.length),
    applyDecorators(ApiPropertyOptional(doc(opts)), ...list),
  );
}

function isStringOrStringList(value: unknown): boolean {
  return (
    typeof value === 'string' ||
    (Array.isArray(value) && value.length <= 100 && value.every((v) => typeof v === 'string'))
  );
}

/** A list parameter: a comma-separated string or a JSON array of strings (realms, tokenrealm). */
function IsStringOrStringList(): PropertyDecorator {
  return ValidateBy({
    name: 'isStringOrStringList',
    validator: {
      validate: isStringOrStringList,
      defaultMessage: () =>
        'Invalid parameter $property: a string or a list of strings is expected',
    },
  });
}

export function OptionalListField(opts: FieldOptions): PropertyDecorator {
  return recorded(
    listRule(false),
    applyDecorators(
      ApiPropertyOptional({
        ...doc(opts),
        oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
      }),
      IsOptional(),
      IsStringOrStringList(),
    ),
  );
}

export function RequiredListField(opts: FieldOptions): PropertyDecorator {
  return recorded(
    listRule(true),
    applyDecorators(
      ApiProperty({
        ...doc(opts),
        oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
      }),
      IsDefined({ message: 'Missing parameter: $property' }),
      IsStringOrStringList(),
    ),
  );
}
