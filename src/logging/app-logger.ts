import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger as Pino } from 'pino';

/**
 * Nest's own start-up chatter (one line per module and per route) and errors it reports before
 * rethrowing them to main(), which prints them once: logged at debug.
 */
const DEBUG_CONTEXTS = new Set([
  'NestFactory',
  'NestApplication',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'ExceptionHandler',
]);

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * The application's logger from the first line on: JSON lines through pino (one per message, no
 * colour, stacks as a field), so start-up messages appear as they happen and a failed start is
 * not followed by a replay of buffered lines.
 */
export class AppLogger implements LoggerService {
  private readonly pino: Pino;

  constructor(level: string, destination?: DestinationStream) {
    this.pino = destination ? pino({ level }, destination) : pino({ level });
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    // Nest passes the context last (and, for errors, a stack before it).
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? rest.pop() : '';
    const effective: Level = DEBUG_CONTEXTS.has(context as string) ? 'debug' : level;
    if (!this.pino.isLevelEnabled(effective)) return;
    const fields: Record<string, unknown> = context ? { context } : {};
    const stack = rest.find((r) => typeof r === 'string');
    if (stack) fields.stack = stack;
    if (message instanceof Error) {
      this.pino[effective]({ ...fields, err: message }, message.message);
    } else if (message !== null && typeof message === 'object') {
      this.pino[effective]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.pino[effective](fields, String(message));
    }
  }
}
