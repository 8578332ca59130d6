import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ResourceNotFoundError } from '../common/errors';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

/**
 * Next to the compiled file: src/demo/public under Jest, dist/src/demo/public after
 * `npm run build` (its postbuild step copies the folder; nest-cli.json does the same).
 */
const PUBLIC_DIR = join(__dirname, 'public');

/** Only this origin's own script, style, API and images (QR codes come as data: URIs). */
export const DEMO_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const ASSETS = {
  'index.html': 'text/html; charset=utf-8',
  'demo.js': 'text/javascript; charset=utf-8',
  'demo.css': 'text/css; charset=utf-8',
} as const;
type AssetName = keyof typeof ASSETS;

/**
 * A static page that plays admin and relying party against this service's own API, for people
 * evaluating it with their phone. The admin JWT pasted into it stays in the browser.
 */
@ApiExcludeController()
@Controller('demo')
export class DemoController {
  private readonly assets = new Map<AssetName, Buffer>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    // Read once at start-up, like the logo: a build that lost a file fails at once.
    if (!config.demoPage) return;
    for (const name of Object.keys(ASSETS) as AssetName[]) {
      this.assets.set(name, readFileSync(join(PUBLIC_DIR, name)));
    }
  }

  @Get()
  page(@Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    // Served at /demo/ so the page's relative links (script, style, API) work behind a prefix.
    if (this.assets.size > 0 && !req.url.split('?')[0].endsWith('/')) {
      void this.secured(reply).redirect('demo/', 302);
      return;
    }
    this.send(reply, 'index.html');
  }

  @Get('demo.js')
  script(@Res() reply: FastifyReply): void {
    this.send(reply, 'demo.js');
  }

  @Get('demo.css')
  style(@Res() reply: FastifyReply): void {
    this.send(reply, 'demo.css');
  }

  private send(reply: FastifyReply, name: AssetName): void {
    const body = this.assets.get(name);
    // Switched off: the same answer as a path that does not exist.
    if (!body) throw new ResourceNotFoundError('The requested resource could not be found.');
    void this.secured(reply)
      .header('Content-Type', ASSETS[name])
      .header('Cache-Control', 'no-cache')
      .send(body);
  }

  private secured(reply: FastifyReply): FastifyReply {
    return reply
      .header('Content-Security-Policy', DEMO_CSP)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Referrer-Policy', 'no-referrer')
      .header('X-Frame-Options', 'DENY');
  }
}
