import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { Detail, successEnvelope } from './envelope';

/** Builds privacyIDEA success envelopes with the configured version strings. */
@Injectable()
export class Responder {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Management endpoints: id 1. */
  ok(value: unknown, detail?: Detail) {
    return successEnvelope(this.config.versions, value, detail, 1);
  }

  /** /validate/* endpoints: id 2 with result.authentication. */
  auth(value: unknown, detail?: Detail) {
    return successEnvelope(this.config.versions, value, detail, 2);
  }
}
