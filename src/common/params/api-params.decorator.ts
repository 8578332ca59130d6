import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiQuery } from '@nestjs/swagger';

type Ctor = new () => unknown;

// Metadata keys @nestjs/swagger writes for @ApiProperty (not exported from its public entry).
const PROPERTIES_ARRAY = 'swagger/apiModelPropertiesArray';
const PROPERTIES = 'swagger/apiModelProperties';

/**
 * OpenAPI for privacyIDEA-style parameters: GET routes list the DTO's fields as query
 * parameters, POST routes document a form or JSON body of the DTO's shape.
 */
export function ApiParams(dto: Ctor, where: 'query' | 'body'): MethodDecorator {
  if (where === 'body') {
    return applyDecorators(
      ApiConsumes('application/x-www-form-urlencoded', 'application/json'),
      ApiBody({ type: dto }),
    );
  }
  const names = (Reflect.getMetadata(PROPERTIES_ARRAY, dto.prototype as object) ?? []) as string[];
  const decorators = names.map((n) => {
    const name = n.replace(/^:/, '');
    const meta = Reflect.getMetadata(PROPERTIES, dto.prototype as object, name) as {
      description?: string;
      required?: boolean;
      example?: string;
      enum?: string[];
      maxLength?: number;
    };
    return ApiQuery({
      name,
      required: meta?.required ?? false,
      description: meta?.description,
      example: meta?.example,
      schema: { type: 'string', maxLength: meta?.maxLength, enum: meta?.enum },
    });
  });
  return applyDecorators(...decorators);
}
