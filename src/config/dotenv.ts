import { existsSync } from 'node:fs';
import { ConfigError } from './app-config';

/**
 * Reads `.env` in the working directory when there is one (see .env.example): KEY=value lines,
 * comments and quotes as in Node's `--env-file`. Variables already set in the environment win.
 * Returns whether a file was read.
 */
export function loadDotEnv(path = '.env'): boolean {
  if (!existsSync(path)) return false;
  try {
    process.loadEnvFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
    throw new ConfigError(`${path} cannot be read (${code})`);
  }
  return true;
}
