import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { API_DESCRIPTION, finishDocument } from './explorer-document';
import { EXPLORER_CSS, EXPLORER_UI_JS } from './explorer-ui';

/** The OpenAPI document at /docs-json and the Swagger UI explorer at /docs. */
export function setupExplorer(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('MFA token engine')
    .setDescription(API_DESCRIPTION)
    .setVersion('1.0')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'Paste the JWT alone (from `npm run --silent admin-token` or the SSO gateway).',
    })
    .build();
  const document = finishDocument(SwaggerModule.createDocument(app, config));
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'MFA token engine – API explorer',
    customJsStr: EXPLORER_UI_JS,
    customCss: EXPLORER_CSS,
    swaggerOptions: {
      // Authorize once; the JWT stays for the page's lifetime (not stored in the browser).
      persistAuthorization: false,
      tryItOutEnabled: true,
      displayRequestDuration: true,
      docExpansion: 'none',
      defaultModelsExpandDepth: 0,
    },
  });
}
