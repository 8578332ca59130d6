import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cert, deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getMessaging, type Message, type Messaging } from 'firebase-admin/messaging';
import { ConfigError, type PushConfig } from '../../config/app-config';

/** Delivers a push message to a phone; firebase-admin in production, a recorder in tests. */
export interface PushSender {
  send(message: Message): Promise<void>;
  close?(): Promise<void>;
}

/** firebase-admin's messaging API (FCM HTTP v1) with the configured service account. */
export class FirebasePushSender implements PushSender {
  constructor(
    private readonly messaging: Messaging,
    private readonly app?: App,
  ) {}

  /** Reads and checks the service account at start-up, so a broken one fails the start. */
  static fromConfig(firebase: NonNullable<PushConfig['firebase']>): FirebasePushSender {
    let text: string;
    try {
      text = firebase.serviceAccount.trim().startsWith('{')
        ? firebase.serviceAccount
        : readFileSync(firebase.serviceAccount, 'utf8');
    } catch {
      throw new ConfigError('PUSH_FIREBASE_SERVICE_ACCOUNT_FILE cannot be read');
    }
    let account: Record<string, unknown>;
    try {
      account = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new ConfigError('The Firebase service account is not valid JSON');
    }
    const projectId =
      firebase.projectId ?? (typeof account.project_id === 'string' ? account.project_id : '');
    if (!projectId) throw new ConfigError('PUSH_FIREBASE_PROJECT_ID is required');
    let app: App;
    try {
      app = initializeApp({ credential: cert(account), projectId }, `mfa-push-${randomUUID()}`);
    } catch (e) {
      throw new ConfigError(`The Firebase service account is unusable: ${(e as Error).message}`);
    }
    return new FirebasePushSender(getMessaging(app), app);
  }

  async send(message: Message): Promise<void> {
    await this.messaging.send(message);
  }

  async close(): Promise<void> {
    if (this.app) await deleteApp(this.app);
  }
}
