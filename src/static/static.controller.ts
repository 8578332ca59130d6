import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';

/**
 * Next to the compiled file: src/static under Jest, dist/src/static after `npm run build`
 * (its postbuild step copies the PNG there; nest-cli.json does the same for `nest start`).
 */
const LOGO_PATH = join(__dirname, 'logo.png');

/** Assets the service hosts itself; no credential, like /healthz. */
@ApiTags('static')
@Controller('static')
export class StaticController {
  // Read once at start-up: a build that lost the asset fails at once, not at the first enrollment.
  private readonly logo = readFileSync(LOGO_PATH);

  /** Default TiQR service logo (TIQR_LOGO_URL unset): the app shows it during enrollment. */
  @Get('logo.png')
  @Header('Content-Type', 'image/png')
  @Header('Cache-Control', 'public, max-age=86400')
  @ApiOperation({ summary: 'Default service logo (TiQR metadata logoUrl)' })
  @ApiProduces('image/png')
  @ApiOkResponse({
    description: '128x128 PNG',
    content: { 'image/png': { schema: { type: 'string', format: 'binary' } } },
  })
  logoPng(): Buffer {
    return this.logo;
  }
}
