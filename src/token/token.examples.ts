/** Example responses for the OpenAPI explorer (shapes from api-token.md). */
const envelope = (value: unknown, detail?: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id: 1,
  version: 'privacyIDEA 3.13',
  versionnumber: '3.13',
  time: 1763870000.123,
  result: { status: true, value },
  ...(detail ? { detail: { ...detail, threadid: 1 } } : {}),
});

const json = (value: unknown) => ({ 'application/json': { example: value } });

export const TOKEN_EXAMPLES = {
  init: json(
    envelope(true, {
      serial: 'OATH0001A2B3',
      rollout_state: 'enrolled',
      otpkey: {
        description: 'OTP seed',
        value: 'seed://3132333435363738393031323334353637383930',
        img: 'data:image/png;base64,…',
        value_b32: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
      },
      googleurl: {
        description: 'URL for google Authenticator',
        value:
          'otpauth://hotp/OATH0001A2B3?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=1&digits=6&creator=privacyidea&issuer=privacyIDEA&serial=OATH0001A2B3',
        img: 'data:image/png;base64,…',
      },
    }),
  ),
  list: json(
    envelope({
      tokens: [
        {
          id: 7,
          serial: 'OATH0001A2B3',
          tokentype: 'hotp',
          description: '',
          active: true,
          revoked: false,
          locked: false,
          failcount: 0,
          maxfail: 10,
          count: 5,
          count_window: 10,
          sync_window: 1000,
          otplen: 6,
          rollout_state: 'enrolled',
          info: {
            hashlib: 'sha1',
            tokenkind: 'software',
            count_auth: '3',
            count_auth_success: '2',
          },
          resolver: '',
          user_id: 'alice',
          username: 'alice',
          user_realm: 'default',
          user_editable: false,
          realms: ['default'],
          tokengroup: [],
          container_serial: '',
        },
      ],
      count: 1,
      prev: null,
      next: null,
      current: 1,
    }),
  ),
  bool: json(envelope(true)),
  count: json(envelope(1)),
};
