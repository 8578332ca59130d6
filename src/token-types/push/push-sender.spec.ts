import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteApp, getApps, initializeApp, type App } from 'firebase-admin/app';
import { getMessaging, type Message, type Messaging } from 'firebase-admin/messaging';
import { ConfigError } from '../../config/app-config';
import { firebaseMessage } from './push-firebase-message';
import { FirebasePushSender } from './push-sender';

/**
 * The Firebase path up to firebase-admin's messaging call (push.md §5.2), with the SDK's own
 * app, Messaging object and types, and no network: `send` is spied on, or (last test) the SDK's
 * request handler is, so the SDK's own validation and wire transformation run as well.
 */

const DATA: Record<string, string> = {
  nonce: 'AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT',
  question: 'Do you want to confirm the login?',
  serial: 'PIPU0001ABCD',
  title: 'privacyIDEA',
  sslverify: '1',
  url: 'https://mfa.example.org/ttype/push',
  signature: 'GLFZXVWN6LOAYTZI4TFGE7IA76PPEOVCFFWGVYZVJM7NZR53QV3IGAZBSU625FV7R5EN7XJZ======',
};
const DEVICE = 'fcm-registration-token-0123456789';
const NOW = new Date('2025-01-01T12:00:00.000Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);

/** §5.2 in the SDK's Message shape (android.ttl in ms; the SDK turns it into "120s"). */
const EXPECTED_120: Message = {
  token: DEVICE,
  data: DATA,
  notification: { title: 'privacyIDEA', body: 'Do you want to confirm the login?' },
  android: {
    priority: 'high',
    ttl: 120_000,
    fcmOptions: { analyticsLabel: 'AndroidPushToken' },
  },
  apns: {
    headers: {
      'apns-priority': '10',
      'apns-push-type': 'alert',
      'apns-collapse-id': 'privacyidea.pushtoken',
      'apns-expiration': String(NOW_S + 120),
    },
    payload: {
      aps: {
        alert: { title: 'privacyIDEA', body: 'Do you want to confirm the login?' },
        sound: 'default',
        category: 'PUSH_AUTHENTICATION',
      },
    },
    fcmOptions: { analyticsLabel: 'iOSPushToken' },
  },
};

let appCounter = 0;

/** A firebase-admin app whose credential hands out a fake token; nothing talks to Google. */
function fakeApp(): App {
  appCounter += 1;
  return initializeApp(
    {
      credential: {
        getAccessToken: () => Promise.resolve({ access_token: 'fake', expires_in: 3600 }),
      },
      projectId: 'pi-test',
    },
    `push-sender-spec-${process.pid}-${appCounter}`,
  );
}

function serviceAccount(extra: Record<string, unknown> = {}): string {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return JSON.stringify({
    type: 'service_account',
    project_id: 'pi-test',
    private_key: privateKey,
    client_email: 'x@pi-test.iam.gserviceaccount.com',
    ...extra,
  });
}

describe('firebaseMessage (push.md §5.2)', () => {
  it('builds exactly the FCM v1 message: data, token, notification, android and apns parts', () => {
    expect(firebaseMessage(DEVICE, DATA, 120, NOW)).toEqual(EXPECTED_120);
  });

  it('follows the challenge validity: android ttl and apns-expiration', () => {
    const m = firebaseMessage(DEVICE, DATA, 30, NOW) as Message & {
      android: { ttl: number };
      apns: { headers: Record<string, string> };
    };
    expect(m.android.ttl).toBe(30_000);
    expect(m.apns.headers['apns-expiration']).toBe(String(NOW_S + 30));
  });

  it('takes title and body from the data, and hands the data over unchanged', () => {
    const data = { ...DATA, title: 'ACME', question: 'Login as alice?' };
    const m = firebaseMessage(DEVICE, data, 120, NOW);
    expect(m.notification).toEqual({ title: 'ACME', body: 'Login as alice?' });
    expect(m.apns?.payload?.aps.alert).toEqual({ title: 'ACME', body: 'Login as alice?' });
    expect(m.data).toEqual(data);
  });
});

describe('FirebasePushSender with firebase-admin Messaging (no network)', () => {
  let app: App;
  let messaging: Messaging;

  beforeEach(() => {
    app = fakeApp();
    messaging = getMessaging(app);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await deleteApp(app);
  });

  it('hands the §5.2 message to Messaging.send unchanged and resolves', async () => {
    const send = jest
      .spyOn(messaging, 'send')
      .mockResolvedValue('projects/pi-test/messages/0:1234');
    const message = firebaseMessage(DEVICE, DATA, 120, NOW);
    await expect(new FirebasePushSender(messaging).send(message)).resolves.toBeUndefined();
    expect(send).toHaveBeenCalledTimes(1);
    const [sent, dryRun] = send.mock.calls[0];
    expect(sent).toEqual(EXPECTED_120);
    expect(dryRun).toBeUndefined();
    // Every data value is a string (FCM data payloads carry strings only).
    expect(Object.values(sent.data ?? {}).every((v) => typeof v === 'string')).toBe(true);
    expect(sent).toMatchObject({ token: DEVICE });
  });

  it('propagates a rejected send (the caller decides to fall back to polling)', async () => {
    const failure = Object.assign(new Error('Requested entity was not found.'), {
      code: 'messaging/registration-token-not-registered',
    });
    jest.spyOn(messaging, 'send').mockRejectedValue(failure);
    await expect(
      new FirebasePushSender(messaging).send(firebaseMessage(DEVICE, DATA, 120, NOW)),
    ).rejects.toBe(failure);
  });

  it('close() without an own app leaves the given app alone', async () => {
    await new FirebasePushSender(messaging).close();
    expect(getApps()).toContain(app);
  });

  it('passes the SDK\'s own validation; the FCM request is §5.2 (ttl "120s")', async () => {
    // Below Messaging.send: the SDK validates and transforms, then calls its request handler.
    const internals = messaging as unknown as {
      messagingRequestHandler: {
        invokeRequestHandler(host: string, path: string, body: object): Promise<object>;
      };
    };
    expect(typeof internals.messagingRequestHandler?.invokeRequestHandler).toBe('function');
    const invoke = jest
      .spyOn(internals.messagingRequestHandler, 'invokeRequestHandler')
      .mockResolvedValue({ name: 'projects/pi-test/messages/0:1' });
    await new FirebasePushSender(messaging).send(firebaseMessage(DEVICE, DATA, 120, NOW));
    expect(invoke).toHaveBeenCalledTimes(1);
    const [host, path, body] = invoke.mock.calls[0];
    expect(`https://${host}${path}`).toBe(
      'https://fcm.googleapis.com/v1/projects/pi-test/messages:send',
    );
    // FCM v1 reads proto3 JSON, where fcmOptions/analyticsLabel and the spec's
    // fcm_options/analytics_label are the same fields; the SDK sends the camelCase names.
    expect(body).toEqual({
      message: {
        data: DATA,
        token: DEVICE,
        notification: { title: 'privacyIDEA', body: 'Do you want to confirm the login?' },
        android: {
          priority: 'high',
          ttl: '120s',
          fcmOptions: { analyticsLabel: 'AndroidPushToken' },
        },
        apns: {
          headers: {
            'apns-priority': '10',
            'apns-push-type': 'alert',
            'apns-collapse-id': 'privacyidea.pushtoken',
            'apns-expiration': String(NOW_S + 120),
          },
          payload: {
            aps: {
              alert: { title: 'privacyIDEA', body: 'Do you want to confirm the login?' },
              sound: 'default',
              category: 'PUSH_AUTHENTICATION',
            },
          },
          fcmOptions: { analyticsLabel: 'iOSPushToken' },
        },
      },
    });
  });
});

describe('FirebasePushSender.fromConfig', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'push-sender-spec-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['inline JSON', '{"type": "service_account", '],
    ['inline JSON with junk', '{ not json at all }'],
  ])('refuses invalid %s with ConfigError', (_, text) => {
    expect(() => FirebasePushSender.fromConfig({ serviceAccount: text })).toThrow(ConfigError);
    expect(() => FirebasePushSender.fromConfig({ serviceAccount: text })).toThrow(
      'The Firebase service account is not valid JSON',
    );
  });

  it('refuses a file that is not JSON with ConfigError', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, 'type=service_account\n');
    expect(() => FirebasePushSender.fromConfig({ serviceAccount: file })).toThrow(
      new ConfigError('The Firebase service account is not valid JSON'),
    );
  });

  it('refuses a service account without project id (and none configured) with ConfigError', () => {
    const before = getApps().length;
    const account = JSON.stringify({ ...JSON.parse(serviceAccount()), project_id: undefined });
    expect(() => FirebasePushSender.fromConfig({ serviceAccount: account })).toThrow(
      new ConfigError('PUSH_FIREBASE_PROJECT_ID is required'),
    );
    const blank = serviceAccount({ project_id: '' });
    expect(() => FirebasePushSender.fromConfig({ serviceAccount: blank })).toThrow(ConfigError);
    expect(getApps()).toHaveLength(before);
  });

  it('refuses an unusable service account (no private key) with ConfigError', () => {
    const account = serviceAccount({ private_key: undefined });
    expect(() => FirebasePushSender.fromConfig({ serviceAccount: account })).toThrow(
      /^The Firebase service account is unusable: /,
    );
    expect(() => FirebasePushSender.fromConfig({ serviceAccount: account })).toThrow(ConfigError);
  });

  it('starts offline from a valid account (inline or file), with PUSH_FIREBASE_PROJECT_ID winning', async () => {
    const before = getApps().length;
    const inline = FirebasePushSender.fromConfig({ serviceAccount: serviceAccount() });
    const file = join(dir, 'account.json');
    writeFileSync(file, serviceAccount());
    const fromFile = FirebasePushSender.fromConfig({ serviceAccount: file, projectId: 'other' });
    const apps = getApps().slice(before);
    expect(apps).toHaveLength(2);
    expect(apps.map((a) => a.options.projectId)).toEqual(['pi-test', 'other']);
    await inline.close();
    await fromFile.close();
    expect(getApps()).toHaveLength(before);
  });
});
