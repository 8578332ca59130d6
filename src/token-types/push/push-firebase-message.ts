import type { Message } from 'firebase-admin/messaging';

/**
 * The FCM HTTP v1 message of push.md §5.2: the signed challenge as data (strings only), and a
 * visible notification for phones whose app is not in the foreground.
 */
export function firebaseMessage(
  deviceToken: string,
  data: Record<string, string>,
  validitySeconds: number,
  now = new Date(),
): Message {
  const title = data.title ?? '';
  const body = data.question ?? '';
  return {
    token: deviceToken,
    data,
    notification: { title, body },
    android: {
      priority: 'high',
      ttl: validitySeconds * 1000,
      fcmOptions: { analyticsLabel: 'AndroidPushToken' },
    },
    apns: {
      headers: {
        'apns-priority': '10',
        'apns-push-type': 'alert',
        'apns-collapse-id': 'privacyidea.pushtoken',
        'apns-expiration': String(Math.floor(now.getTime() / 1000) + validitySeconds),
      },
      payload: {
        aps: { alert: { title, body }, sound: 'default', category: 'PUSH_AUTHENTICATION' },
      },
      fcmOptions: { analyticsLabel: 'iOSPushToken' },
    },
  };
}
