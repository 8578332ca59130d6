import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { firebaseMessage } from './push-firebase-message';
import { FirebasePushSender, type PushSender } from './push-sender';

/**
 * Sends signed challenges to phones through the configured PushSender. A delivery failure is
 * logged (never the device token or the message) and reported as "not sent": the challenge stays
 * pollable and the relying party's message says so.
 */
@Injectable()
export class PushDelivery implements OnApplicationShutdown {
  private readonly logger = new Logger('PushDelivery');
  private sender?: PushSender;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const firebase = config.push.firebase;
    if (firebase) this.sender = FirebasePushSender.fromConfig(firebase);
  }

  /** Whether a sender is configured (not poll-only). */
  get enabled(): boolean {
    return this.sender !== undefined;
  }

  /** Replaces the sender: tests record messages instead of calling Firebase. */
  useSender(sender: PushSender | undefined): void {
    this.sender = sender;
  }

  async deliver(
    serial: string,
    deviceToken: string,
    data: Record<string, string>,
  ): Promise<boolean> {
    if (!this.sender) return false;
    const validity =
      this.config.challenges.validityByType.push ?? this.config.challenges.validityTime;
    try {
      await this.sender.send(firebaseMessage(deviceToken, data, validity));
      return true;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      this.logger.warn(
        `Push delivery for ${serial} failed${typeof code === 'string' ? ` (${code})` : ''}; the challenge stays pollable`,
      );
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sender?.close?.();
  }
}
