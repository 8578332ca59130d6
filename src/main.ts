import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.setup';
import { loadConfig } from './config/app-config';

async function bootstrap(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await createApp();
  await app.listen(config.port, config.host);
  const logger = new Logger('Bootstrap');
  logger.log(`listening on http://${config.host}:${config.port} (database: ${config.db.type})`);
  if (!config.publicBaseUrl) {
    logger.warn('PUBLIC_BASE_URL is not set: app-facing URLs use the request origin');
  }
}

bootstrap().catch((e: unknown) => {
  // Startup errors are configuration problems: say what, without a stack of framework frames.
  console.error(`startup failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
