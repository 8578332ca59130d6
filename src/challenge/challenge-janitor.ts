import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ChallengeService } from './challenge.service';

/**
 * Periodic sweep of expired challenges. One indexed DELETE per interval, off the request path;
 * every replica may run it, the deletes are idempotent.
 */
@Injectable()
export class ChallengeJanitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ChallengeJanitor.name);
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly challenges: ChallengeService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const ms = this.config.challenges.cleanupIntervalSeconds * 1000;
    this.timer = setInterval(() => void this.sweep(), ms);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Deletes expired rows; overlapping runs are skipped. */
  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const n = await this.challenges.deleteExpired();
      if (n > 0) this.logger.debug(`removed ${n} expired challenges`);
      return n;
    } catch (e) {
      this.logger.warn(`challenge cleanup failed: ${(e as Error).message}`);
      return 0;
    } finally {
      this.running = false;
    }
  }
}
