import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ManagementAuthGuard, Roles } from '../auth/auth.guard';
import { ParameterError } from '../common/errors';
import { OptionalField, RequiredField } from '../common/params/param-fields';
import { ParamReader } from '../common/params/param-reader';
import { PiDto, PiUploadParams } from '../common/params/pi-params.decorator';
import { Responder } from '../common/responder';
import { ImportFileType, TokenImportService } from './token-import.service';

const FILE_TYPES: Record<string, ImportFileType> = {
  oathcsv: 'oathcsv',
  csv: 'oathcsv',
  pskc: 'pskc',
};

export class LoadTokensDto extends PiDto {
  @RequiredField({ description: 'Name of the uploaded file (path segment)', maxLength: 255 })
  filename!: string;

  @RequiredField({
    description: 'File format: oathcsv (alias csv) or pskc',
    maxLength: 20,
    enum: ['oathcsv', 'pskc'],
  })
  type!: string;

  @OptionalField({ description: 'PSKC pre-shared key (hex) for encrypted files', maxLength: 128 })
  psk?: string;

  @OptionalField({ description: 'PSKC password for PBKDF2-protected files', maxLength: 1024 })
  password?: string;

  @OptionalField({
    description: 'Realms to put every imported token in (comma separated)',
    maxLength: 4096,
  })
  tokenrealms?: string;

  @OptionalField({ description: '1: import the valid records even if others fail', maxLength: 8 })
  partial?: string;
}

/** partial: 1/0 or true/false (any case); anything else is refused, not read as "no". */
function flag(params: ParamReader, key: string): boolean {
  const value = params.optional(key)?.trim();
  if (value === undefined || /^(0|false)$/i.test(value)) return false;
  if (/^(1|true)$/i.test(value)) return true;
  throw new ParameterError(`Invalid parameter ${key}: 1 or 0 (true or false) is expected`);
}

/** psk: an AES key as hex (16, 24 or 32 bytes), checked before the file is read. */
function presharedKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{48}|[0-9a-fA-F]{64})$/.test(value.trim())) {
    throw new ParameterError(
      'Invalid parameter psk: 32, 48 or 64 hex digits (a 16, 24 or 32 byte AES key) are expected',
    );
  }
  return value.trim();
}

/** The uploaded file: a multipart file part, or the file's text in a `file` field. */
function fileContent(params: Record<string, unknown>): string {
  const file = params.file;
  if (Buffer.isBuffer(file)) return file.toString('utf8');
  if (typeof file === 'string' && file.length > 0) return file;
  throw new ParameterError('Missing parameter: file');
}

/** POST /token/load/<filename>: import CSV or PSKC token files (admin). */
@ApiTags('import')
@ApiBearerAuth()
@UseGuards(ManagementAuthGuard)
@Controller('token/load')
export class TokenImportController {
  constructor(
    private readonly importer: TokenImportService,
    private readonly respond: Responder,
  ) {}

  @Post(':filename')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Import tokens from an OATH CSV or PSKC (RFC 6030) file (admin)',
    description:
      'All records are checked first; by default a file with any bad record imports nothing and the ' +
      'error detail lists each bad record and why. partial=1 imports the good records.',
  })
  @ApiParam({ name: 'filename', example: 'tokens.xml' })
  @ApiConsumes('multipart/form-data', 'application/x-www-form-urlencoded', 'application/json')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file', 'type'],
      properties: {
        file: { type: 'string', format: 'binary', description: 'The token file' },
        type: { type: 'string', enum: ['oathcsv', 'pskc'] },
        psk: { type: 'string', description: 'PSKC pre-shared key (hex)' },
        password: { type: 'string', description: 'PSKC password' },
        tokenrealms: { type: 'string', description: 'Realms for all imported tokens' },
        partial: { type: 'string', description: '1: import the valid records even if others fail' },
      },
    },
  })
  @ApiOkResponse({
    description:
      '{n_imported, n_not_imported}; detail.imported lists the serials, detail.errors the skipped records',
  })
  async load(@PiUploadParams(LoadTokensDto) dto: LoadTokensDto) {
    const fileType = FILE_TYPES[dto.type.toLowerCase()];
    if (!fileType)
      throw new ParameterError(`Unknown file type: ${dto.type.slice(0, 20)}. Use oathcsv or pskc`);
    const outcome = await this.importer.import({
      fileType,
      content: fileContent(dto.params.raw),
      preSharedKey: presharedKey(dto.psk),
      password: dto.password,
      tokenRealms: dto.params.list('tokenrealms') ?? [],
      partial: flag(dto.params, 'partial'),
    });
    return this.respond.ok(
      { n_imported: outcome.imported.length, n_not_imported: outcome.errors.length },
      { imported: outcome.imported, errors: outcome.errors },
    );
  }
}
