import { applyDecorators, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { baseUrlOf } from '../common/base-url';
import { successEnvelope } from '../common/envelope';
import { ParameterError } from '../common/errors';
import { ParamReader } from '../common/params/param-reader';
import { requestParams } from '../common/params/pi-params.decorator';
import type { RequestLike } from '../common/params/request-params';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { TokenTypeRegistry } from '../token-types/token-type.registry';
import {
  TTYPE_BAD_REQUEST_CONTENT,
  TTYPE_FORBIDDEN_CONTENT,
  TTYPE_FORM_EXAMPLES,
  TTYPE_FORM_SCHEMA,
  TTYPE_GET_DESCRIPTION,
  TTYPE_GET_OK_CONTENT,
  TTYPE_NOT_FOUND_CONTENT,
  TTYPE_POST_DESCRIPTION,
  TTYPE_POST_OK_CONTENT,
  TTYPE_QUERY,
} from './ttype.examples';

type TtypeHttpRequest = RequestLike & Parameters<typeof baseUrlOf>[0] & { method: string };

// Documented for TiQR and Push; every type-specific parameter stays optional so "Try it out"
// works for each type (the descriptions say which ones a type and action need).
const ApiTtypeCommon = () =>
  applyDecorators(
    ApiParam({
      name: 'type',
      type: String,
      description: 'Token type: `tiqr` or `push`',
      example: 'tiqr',
    }),
    ...TTYPE_QUERY.map((q) => ApiQuery(q)),
    ApiBadRequestResponse({
      description:
        'JSON error envelope: missing parameter, invalid session, unknown type; Push: signature ' +
        'or timestamp refused, enrollment credential refused',
      content: TTYPE_BAD_REQUEST_CONTENT,
    }),
    ApiNotFoundResponse({
      description: 'JSON error envelope: unknown token; Push stage 2: token not awaiting its phone',
      content: TTYPE_NOT_FOUND_CONTENT,
    }),
  );

/** /ttype/<type>: endpoints the smartphone apps call, dispatched through the type registry. */
@ApiTags('apps')
@Controller('ttype')
export class TtypeController {
  constructor(
    private readonly registry: TokenTypeRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(':type')
  @ApiOperation({
    summary: 'App endpoint of a token type (TiQR metadata, Push poll)',
    description: TTYPE_GET_DESCRIPTION,
  })
  @ApiTtypeCommon()
  @ApiOkResponse({
    description: 'TiQR metadata (bare JSON); Push poll: the open challenges (JSON envelope)',
    content: TTYPE_GET_OK_CONTENT,
  })
  @ApiForbiddenResponse({
    description: 'JSON error envelope: Push polling not allowed',
    content: TTYPE_FORBIDDEN_CONTENT,
  })
  get(@Req() req: TtypeHttpRequest, @Res() reply: FastifyReply) {
    return this.dispatch(req, reply);
  }

  @Post(':type')
  @HttpCode(200)
  @ApiOperation({
    summary: 'App endpoint of a token type (TiQR enrollment/login, Push registration/answer)',
    description: TTYPE_POST_DESCRIPTION,
  })
  @ApiTtypeCommon()
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ required: false, schema: TTYPE_FORM_SCHEMA, examples: TTYPE_FORM_EXAMPLES })
  @ApiOkResponse({
    description:
      'TiQR: plain-text reply (enrollment, authentication) or metadata (JSON); Push: JSON ' +
      'envelope (enrollment stage 2, answer, Firebase token update)',
    content: TTYPE_POST_OK_CONTENT,
  })
  post(@Req() req: TtypeHttpRequest, @Res() reply: FastifyReply) {
    return this.dispatch(req, reply);
  }

  private async dispatch(req: TtypeHttpRequest, reply: FastifyReply) {
    const params = requestParams(req);
    const type = typeof params.type === 'string' ? params.type : '';
    const entry = type.length <= 30 ? this.registry.find(type) : undefined;
    if (!entry) throw new ParameterError(`Invalid tokentype provided. ttype: ${type.slice(0, 30)}`);
    if (!entry.handler.ttype) {
      throw new ParameterError(`${entry.meta.type} does not support the API endpoint`);
    }
    const out = await entry.handler.ttype({
      params: new ParamReader(params),
      method: req.method,
      baseUrl: baseUrlOf(req, this.config),
    });
    if (out.kind === 'envelope') {
      const body = successEnvelope(this.config.versions, out.value, out.detail, 1);
      return reply.status(200).type('application/json; charset=utf-8').send(JSON.stringify(body));
    }
    reply.status(out.status ?? 200);
    if (out.kind === 'text') {
      return reply.type('text/plain; charset=utf-8').send(out.body);
    }
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(out.body));
  }
}
