/** Example responses for the OpenAPI explorer (shapes from api-validate.md). */
const envelope = (value: unknown, authentication: string, detail: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id: 2,
  version: 'privacyIDEA 3.13',
  versionnumber: '3.13',
  time: 1763870000.123,
  result: { status: true, value, authentication },
  detail: { ...detail, threadid: 1 },
});

const json = (examples: Record<string, unknown>) => ({
  'application/json': {
    examples: Object.fromEntries(Object.entries(examples).map(([k, v]) => [k, { value: v }])),
  },
});

export const AUTH_EXAMPLES = {
  check: json({
    accepted: envelope(true, 'ACCEPT', {
      message: 'matching 1 tokens',
      serial: 'OATH0001A2B3',
      type: 'hotp',
      otplen: 6,
    }),
    wrongOtp: envelope(false, 'REJECT', {
      message: 'wrong otp value',
      serial: 'OATH0001A2B3',
      type: 'hotp',
      otplen: 6,
    }),
    wrongPin: envelope(false, 'REJECT', { message: 'wrong otp pin' }),
    challenge: envelope(false, 'CHALLENGE', {
      transaction_id: '08282050332563531714',
      transaction_ids: ['08282050332563531714'],
      message: 'please enter otp: ',
      messages: ['please enter otp: '],
      multi_challenge: [
        {
          transaction_id: '08282050332563531714',
          serial: 'OATH0001A2B3',
          type: 'hotp',
          client_mode: 'interactive',
          message: 'please enter otp: ',
        },
      ],
      serial: 'OATH0001A2B3',
      type: 'hotp',
      client_mode: 'interactive',
      preferred_client_mode: 'interactive',
    }),
  }),
  trigger: json({
    triggered: envelope(1, 'CHALLENGE', {
      transaction_id: '08282050332563531714',
      transaction_ids: ['08282050332563531714'],
      messages: ['Please answer the challenge'],
      message: 'Please answer the challenge',
      multi_challenge: [
        {
          transaction_id: '08282050332563531714',
          serial: 'OCRA0001A2B3',
          type: 'ocra',
          client_mode: 'interactive',
          message: 'Please answer the challenge',
          attributes: { challenge: '83927105' },
        },
      ],
    }),
    none: envelope(0, 'REJECT', { messages: [], transaction_ids: [], multi_challenge: [] }),
  }),
  poll: json({
    accepted: envelope(true, 'ACCEPT', { challenge_status: 'accept' }),
    pending: envelope(false, 'REJECT', { challenge_status: 'pending' }),
    declined: envelope(false, 'DECLINED', { challenge_status: 'declined' }),
  }),
};
