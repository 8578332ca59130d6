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

export function RequiredField(opts: FieldOptions): PropertyDecorator {
  const presence = opts.allowEmpty ? [] : [IsNotEmpty({ message: 'Missing parameter: $property' })];
  return applyDecorators(ApiProperty(doc(opts)), ...presence, ...checks(opts));
}

export function OptionalField(opts: FieldOptions): PropertyDecorator {
  return applyDecorators(ApiPropertyOptional(doc(opts)), IsOptional(), ...checks(opts));
}

/** A list parameter: a comma-separated string or a JSON array of strings (realms, tokenrealm). */
function IsStringOrStringList(): PropertyDecorator {
  return ValidateBy({
    name: 'isStringOrStringList',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' ||
        (Array.isArray(value) && value.length <= 100 && value.every((v) => typeof v === 'string')),
      defaultMessage: () =>
        'Invalid parameter $property: a string or a list of strings is expected',
    },
  });
}

export function OptionalListField(opts: FieldOptions): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      ...doc(opts),
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    }),
    IsOptional(),
    IsStringOrStringList(),
  );
}

export function RequiredListField(opts: FieldOptions): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      ...doc(opts),
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    }),
    IsDefined({ message: 'Missing parameter: $property' }),
    IsStringOrStringList(),
  );
}
