import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.setup';
import { AppConfig, collectProblems, ConfigError, loadConfig } from './config/app-config';
import { loadDotEnv } from './config/dotenv';
import { resolveKeyMaterial } from './config/key-material';

/** Every configuration problem at once, before anything is built (key files are only checked). */
function checkedConfig(): AppConfig {
  return collectProblems(() => {
    const config = loadConfig(process.env);
    resolveKeyMaterial(config, () => undefined, { generate: false });
    return config;
  });
}

/** Where a person finds the API, the explorer and the demo page. */
function startupMessage(config: AppConfig, port: number): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const base = config.publicBaseUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const demo = config.demoPage ? `, demo ${base}/demo` : '';
  return (
    `listening on ${config.host}:${port} (database: ${config.db.type}): ` +
    `API ${base}/, explorer ${base}/docs${demo}`
  );
}

async function bootstrap(): Promise<void> {
  loadDotEnv();
  const config = checkedConfig();
  const app = await createApp();
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const logger = new Logger('Bootstrap');
  logger.log(startupMessage(config, port));
  if (!config.publicBaseUrl) {
    logger.warn('PUBLIC_BASE_URL is not set: app-facing URLs use the request origin');
  }
}

bootstrap().catch((e: unknown) => {
  // A failed start is a configuration or environment problem: one line each, no stack.
  if (e instanceof ConfigError) {
    for (const p of e.problems) console.error(`configuration error: ${p}`);
  } else {
    const message = e instanceof Error ? e.message : String(e);
    console.error(`startup failed: ${message.split('\n')[0]}`);
  }
  process.exit(1);
});
