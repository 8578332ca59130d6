import { exampleErrorEnvelope } from '../docs/error-examples';
import type { ApiQueryOptions, ContentObject, ExamplesObject, SchemaObject } from '@nestjs/swagger';

/**
 * OpenAPI documentation of /ttype/<type> for the TiQR app (shapes from tiqr.md) and the
 * privacyIDEA Authenticator's push requests (push.md; example values are the push.md §12 test
 * vectors, so every signature shown verifies).
 */
const SESSION = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c';
const SERIAL = 'TiQR0001A2B3';
const BASE = 'https://mfa.example.org/ttype/tiqr';

const PUSH_SERIAL = 'PIPU0001ABCD';
const PUSH_URL = 'https://mfa.example.org/ttype/push';
const PUSH_NONCE = 'AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT';
const PUSH_TIMESTAMP = '2025-01-01T12:00:00.000Z';
/** push.md §12.1: the phone's public key as the app sends it (base64 DER SubjectPublicKeyInfo). */
const PUSH_PHONE_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnDV9k5FT6YYTZ5KxQV6y2QT4RgLMq2I3LrOA1E+oSBfD3G7c' +
  'R2ZPiJT+fc2XXdY2lnNBHSGFeqIEaBxcPDVxuElBvO3T8/cgthXtZznx3tAAjacEqzkrPMvAwUAtKUa8/qwueAg0ucWG' +
  'TCnITFlzd4amIM9de1ATEPdjm5HPndUrTFIvScY8JDt5MkPXSar+5mFSLIDrW9RKeUfJf1JZX76SknoqswzoAX7pwDAm' +
  'NF5IPdX7PHkQArCJIKke3/kiF4Hr0+lZUcdN++BSOLEINxIg+9ig6E7AmuIuXbl1SVoyGy4G+wh1eQWNYXDPOOXCKnt/' +
  'RTt9UKuY0tqkSlIuUwIDAQAB';
/** push.md §12.2: `detail.public_key`, the server's PKCS#1 PEM without its first and last line. */
const PUSH_SERVER_KEY = [
  'MIIBCgKCAQEAtDVVi44B4Mlq0PJh/9GTMgnfyIobMsVvbocXWw8n/zH7Ctjiiboh',
  'p47MAtZHeXNF6yM5MM3s8cEzKfejb7Z0L3apZpEXgC3Ag7xUPSBiyC+kmam6TFa0',
  'gCIzaLs5CNWFKPLbfUZpFoEBd+RDbfV8RAbu9FZDAsZxjPdnrvawuERRGlXM6nwy',
  'P7/4p+yF2alv8YO3lEzMVZ/4autCLR6D2V6s6PWMVRp6FlyoohKL/1vPnlcR2yXG',
  'm4bQygNrOId3ddhAL0ieKlCk/XH20Yk8a9VnV1beBQ0fDyPf/q2HRBflhtMfybv6',
  'v87Nh9u2vL4rFw5yaxmuCJVlh2hLO0pAwwIDAQAB',
].join('\n');
/** push.md §12.3/§12.4 signatures (base32 with padding). */
const PUSH_SIG = {
  challenge:
    'GLFZXVWN6LOAYTZI4TFGE7IA76PPEOVCFFWGVYZVJM7NZR53QV3IGAZBSU625FV7R5EN7XJZN2AFCI4YRVYNWN5JI43Q' +
    'JCZX6WTWOLIMA64P6DJJJJXJJJOFWAAAXCU4EBQ4CYJO23YM4P2XRMJIDNG4P75336AMFRGIO4MK7ZICEZXUR4PS45R2' +
    '3HKD2ATPHRZMZW2IGKAYKAFPTZTE4B3HZ6NA67NXKYO3LW4XUX4PFBQH5SQVKNHAUEHTWVRPHJDO2FNUUNHIRJS6WKLJ' +
    'GGNJFL2S5S4KE2H64COD3G67RCVWPEEX2KPVROAMSTJTAGKY74UZVUOL33CTJEDM5JRNE2LX37ETJB7CB6HABZQX3LOZ' +
    'JIC6IBXGC7ZER7NVY4IOUMJZ3NH4X3E7V3K6GJCMDU======',
  challengePresence:
    'PUDM4PZV36AMNXM7UFAUKPXLW2AWRD5DJBH2I7OO5ODFA4A5QAW54SWPR7LEPTEG3AOHGHITQK4SN3BF7IBCHJFE6PPS' +
    '4RGFQP22ZZHZB2KA4OUG3QC6O3A7T7BUCMOSS5IUVJ25GTSIRNI7DPLES52FSHGBI5XP4UYB2RDFN7HIV6RKJCYD743T' +
    'POL4VCVZ6TD6UMCMRGAHNQWCOEA47OQHICCJ6QXL7ICQDD6JCENQDD7BG5A6VLSWMMSCHYGBBCAISQGG4TNFC7YOBVLC' +
    '6QZMTOA3HNTUF6AIMIL5TA4MUQKPE7SHUOWTADF6EV2TBA3UIZQIFTBWK52FTQF3LSJ3X5Z7YWRNDRE4WHAN7VZ5F46E' +
    '4LUVTMERRCTIZWBOWEZE7D4RN2PHJJX74UHXKXVKXI======',
  accept:
    'HGXS5YNPR3HQGCEWZKHSETMYVXFNZXJZNE6XHAOKWAILMC4ACLFJRW5TTFO3S6R75XNMHJ2FFWAQ57COFIF75NRHLHI5' +
    'BKKEFIEQYC43CCXPBZNA3SLY4EBOPKFR6H3OESFOZ5CMDUGAY2CGL7G4EEIUOTOFAP277A5KPONF6WS2BPPH3PS5MWGO' +
    'QILM2ID6HOHC3PRCORFS3UGTNPIPCYAA3KJCQNQRFYDFM6RLGI4HVDPXJ5KTRJXBE7LE5E3SQJA4KWFPLCANWSBJ2UIE' +
    'HO6XFEHEK3CBT5BT722KJLGJS6ADLLTZCTCL3GQUNSV55EXK46GSIFOXGCF347APCEYUOY4R6DPM2FMFHUNH2STRGLTC' +
    'ANHZVF4ICE63ERB5XUFAJ7QSO7Q7IYUZSMU7JHBYSU======',
  decline:
    'C37NXS2XSA5HPKSMRMIPPIIZNAUWSWDZOEPIXJ32YHYRNMH2CEWYVKUTB6HYJTLNCADQRRFYEGCKTI4LLWSIASBQ6ZL4' +
    'HCQLHKMLZGPBELRZECDSO6VYWWFHQMHDWB3GJM2BTSGRSR47Z4MLHIVGPPIHCMA2GYUGYYCMPURJUW2TLH6WJZIDNM4L' +
    'QRGBAJ74XF3K4H7NXEAHBXV7ZD5PREKPX63ONPSTXNEYRP46EX6XLLDOLCLEYZ4SRSSRAGPQZZPTKOXWVGTXOBMMAI2O' +
    'LWC7HOM4ZINUEVYRNWZPC5QM672JR2ADOJVUFZE77U4DFQDEYTVZ7LU4FPX2ZQLVU4CY5GNCINTZBGLDWW4TBP3GZRHQ' +
    'QJ5VL5ODHNRYZD4PS52B6KY2FQ3MYZVBHXTGNYUHFU======',
  presence:
    'GAGHXX2ZZQJJ5L2MSLTJ57V6MUYU6JSCSJZ65VWD3YPSLBORBODAMPM5FNWTDRXTJ6AABBKHYUAVPKSHOKIHHPR3K6XM' +
    'DCR6IGYO2W3KRWDOEOGDVH77647QCTMU52AW2IZKNZAXXFWJLFA22FBNJH6LHY3BPHLAULQ7A5QP6Z5BJRSAFUXR76SZ' +
    '57E5VA7IOTZTZNJI2V7EYT5YY22OLV7P63MG4KGTPXXFVOYQUFNPD56GHPOOEXKWL2IA6ZEY3T53COSM5N6QCB2YLUU5' +
    'G6PTAD2JJUGSFR7PLIDGVL3AUQ7BZ2FOKZHO7YK7KZB4FWG2V5LFD2P4DUWNJK7OLFUYPSGE2OII4ZIUEDRHWWMAP2F7' +
    'PLA4F64CYP33INZVFQMYTG65PDQRKBWFNBKSBACSOU======',
  poll:
    'AUL7Z7XDJPO46QK37PRXM434FHW5OI27RF6EG54RFC4EXGIV6O6HWCRGYKJMEIKW7KIAPWCBBTBQD4PBNMA7KHMU6PQ5' +
    'TTIBD5GKUWETZWZBN4JCX7HUYAI2FGV56PNX4636VGRFY7Y4TKR45Q7LHEIYRTSDTJNGPC4HUKR2PBGMD744OS4WTXGG' +
    'RU5VKMRQI6RYYLLMR4MHHLTPCHKK2HZSG5ZLHXNS6SGJDCKRI5ZV73OXAQBGYGZCSEFJ4HZSHI3P7WAISD3GD32MPBCR' +
    'RHDACG3UBKYB6NTVDCLBV6RRR2PU35DMT4S5HS7GF2XPNEVV22NVOTCWEKXRFAGOLLTLHQISCRZIYQI3H4RPXIOWQGUV' +
    'S543OVZGMQZDSTBJ36KJXMMXHTC6RIE766KRJUUYGM======',
  fbUpdate:
    'EJBCDXAENRI5AMCKRCCGUDZXGKY3UJXWWR2D26BLYNWCLVNGK3N5AJCXWXVSCMD4QGCJ3NV7DJLD7ISGC4SHTJ2TIFYR' +
    'ZGCRWRZW6QQCSZJKYIPTU3HODW2EGYXLUKZSZWGXK3YPCPKVUQUEYJOHZDIP6MWWPGOEGK77CHXRJGJ3M56UHMKUATD6' +
    '6NTMM2RHUINB4O3EWPZAV5S7S62UUXUHHYYVHG4P42CIHGATNSULYQ4OP6UZ6RMICV5NERCTXPJYHHFHAZPLGOU5BUH3' +
    'LZ3C2SVSQRINNE6U23MOTLFQRDL4Y4TGUI3QJI4XUWAGXDOQRIUULB5KGS67QPJIMILJDVBYSOZZPLYQR4L5QNYV6RXB' +
    'NGQ2G2AJNFCIVSQ7AAHC5A2QBJ7KH2PRKBIUI5DKZI======',
};

const examples = (entries: Record<string, { summary: string; value: unknown }>): ExamplesObject =>
  entries;

/**
 * Query parameters and form fields are all optional and carry no example values: which ones a
 * call needs depends on type and action, and prefilled TiQR values would leak into "Try it out"
 * for other types. Complete bodies are in TTYPE_FORM_EXAMPLES.
 */
export const TTYPE_QUERY: ApiQueryOptions[] = [
  {
    name: 'action',
    required: false,
    schema: { type: 'string' },
    description:
      'TiQR: `metadata` (GET or POST, the URL in the `tiqrenroll://` QR code), `enrollment` ' +
      '(POST, the `enrollmentUrl` from the metadata) or `authentication` (POST; the default ' +
      'when absent). Push has no `action`: the method and the fields present select the request. ' +
      'Other types define their own or none.',
  },
  {
    name: 'session',
    required: false,
    schema: { type: 'string' },
    description:
      'TiQR `metadata` and `enrollment`: the one-time enrollment session (40 hex digits) from ' +
      '/token/init.',
  },
  {
    name: 'serial',
    required: false,
    schema: { type: 'string' },
    description:
      'TiQR `metadata` and `enrollment`: serial of the token being enrolled, e.g. ' +
      '`TiQR0001A2B3`. Push poll (GET): serial of the polling token, e.g. `PIPU0001ABCD` ' +
      '(required there; the POST requests send it as a form field).',
  },
  {
    name: 'timestamp',
    required: false,
    schema: { type: 'string' },
    description:
      'Push poll (GET, required): the current time, ISO 8601 (the app sends UTC, e.g. ' +
      '`2025-01-01T12:00:00.000000Z`; a time without offset is UTC). Must be within ±1 minute ' +
      "of the server's clock and later than the token's previous poll (a replayed poll is " +
      'refused).',
  },
  {
    name: 'signature',
    required: false,
    schema: { type: 'string' },
    description:
      'Push poll (GET, required): RSASSA-PKCS1-v1_5/SHA-256 signature with the phone key over ' +
      '`{serial}|{timestamp}` (the timestamp exactly as sent), base32 with `=` padding.',
  },
];

/** Form fields the apps POST (application/x-www-form-urlencoded). */
export const TTYPE_FORM_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    secret: {
      type: 'string',
      description: 'TiQR `enrollment`: the OCRA key the app generated, hex.',
    },
    sessionKey: {
      type: 'string',
      description:
        'TiQR `authentication`: the transaction id from the `tiqrauth://` URL of the challenge.',
    },
    userId: {
      type: 'string',
      description:
        'TiQR `authentication`: the identity identifier from the metadata (`<login>_<realm>`).',
    },
    response: {
      type: 'string',
      description: 'TiQR `authentication`: OCRA response computed over the challenge question.',
    },
    operation: {
      type: 'string',
      description: 'TiQR: `register` for `enrollment`, `login` for `authentication`.',
    },
    language: { type: 'string', description: 'TiQR: app language, e.g. `en` (ignored).' },
    notificationAddress: {
      type: 'string',
      description:
        'TiQR `enrollment`: push address of the device, may be absent (stored, not used).',
    },
    notificationType: {
      type: 'string',
      description: 'TiQR: `GCM`, `FCM_DIRECT`, `APNS` or `APNS_DIRECT`; absent without an address.',
    },
    serial: {
      type: 'string',
      description: 'Push (every POST, required): serial of the token, e.g. `PIPU0001ABCD`.',
    },
    enrollment_credential: {
      type: 'string',
      description:
        'Push enrollment stage 2 (required): the one-time credential from the `otpauth://pipush/…` ' +
        'URI (40 hex digits), valid `PUSH_TTL` minutes after /token/init.',
    },
    fbtoken: {
      type: 'string',
      description:
        'Push enrollment stage 2 (required, with `pubkey` it selects stage 2): Firebase ' +
        'registration token of the phone, or `no_firebase_token` (poll-only).',
    },
    pubkey: {
      type: 'string',
      description:
        'Push enrollment stage 2 (required): the phone RSA public key (2048 to 8192 bits), ' +
        'standard base64 of the DER SubjectPublicKeyInfo, no PEM lines.',
    },
    nonce: {
      type: 'string',
      description:
        'Push answer: the `nonce` of the challenge being answered (every app sends it; only that ' +
        'challenge is considered).',
    },
    signature: {
      type: 'string',
      description:
        'Push answer and Firebase token update (required): RSASSA-PKCS1-v1_5/SHA-256 with the ' +
        'phone key, base32 with `=` padding. Signed string: accept `{nonce}|{serial}`, with ' +
        'number matching `{nonce}|{serial}|{presence_answer}`, decline `{nonce}|{serial}|decline` ' +
        '(with a reason `…|decline|{decline_reason}`), token update ' +
        '`{new_fb_token}|{serial}|{timestamp}`.',
    },
    decline: {
      type: 'string',
      description: 'Push answer: `1` declines the challenge instead of accepting it.',
    },
    decline_reason: {
      type: 'string',
      description:
        'Push decline, optional: `cancelled` (the user cancelled: the relying party sees ' +
        '`cancelled`) or `unknown_trigger` (plain decline).',
    },
    presence_answer: {
      type: 'string',
      description:
        'Push answer with number matching (`PUSH_REQUIRE_PRESENCE`): the option the user tapped ' +
        '(one of `require_presence`). A wrong option refuses the challenge.',
    },
    new_fb_token: {
      type: 'string',
      description:
        'Push Firebase token update (required, with `timestamp` and `signature` it selects the ' +
        'update): the new Firebase registration token.',
    },
    timestamp: {
      type: 'string',
      description:
        'Push Firebase token update (required): ISO 8601, within ±5 minutes of the server clock ' +
        "and later than the token's previous update.",
    },
  },
};

export const TTYPE_FORM_EXAMPLES = examples({
  tiqrEnrollment: {
    summary: `TiQR enrollment (query: action=enrollment&session=…&serial=${SERIAL})`,
    value: {
      secret: '3132333435363738393031323334353637383930',
      language: 'en',
      notificationAddress: 'dGVzdC1wdXNoLWFkZHJlc3M',
      notificationType: 'FCM_DIRECT',
      operation: 'register',
    },
  },
  tiqrAuthentication: {
    summary: 'TiQR authentication (no query string)',
    value: {
      sessionKey: '08282050332563531714',
      userId: 'alice_realm1',
      response: '086548',
      language: 'en',
      operation: 'login',
    },
  },
  pushEnrollment: {
    summary: 'Push enrollment stage 2 (/ttype/push, poll-only app)',
    value: {
      enrollment_credential: '9311ee50678983c0f29d3d843f86e39405e2b427',
      serial: PUSH_SERIAL,
      fbtoken: 'no_firebase_token',
      pubkey: PUSH_PHONE_KEY,
    },
  },
  pushAccept: {
    summary: 'Push: accept a challenge (/ttype/push)',
    value: { serial: PUSH_SERIAL, nonce: PUSH_NONCE, signature: PUSH_SIG.accept },
  },
  pushDecline: {
    summary: 'Push: decline a challenge (/ttype/push)',
    value: { serial: PUSH_SERIAL, nonce: PUSH_NONCE, signature: PUSH_SIG.decline, decline: '1' },
  },
  pushPresenceAnswer: {
    summary: 'Push: accept with number matching, the user tapped `B` (/ttype/push)',
    value: {
      serial: PUSH_SERIAL,
      nonce: PUSH_NONCE,
      presence_answer: 'B',
      signature: PUSH_SIG.presence,
    },
  },
  pushFirebaseTokenUpdate: {
    summary: 'Push: the app reports a new Firebase token (/ttype/push)',
    value: {
      new_fb_token: 'newfbtoken123',
      serial: PUSH_SERIAL,
      timestamp: PUSH_TIMESTAMP,
      signature: PUSH_SIG.fbUpdate,
    },
  },
});

/** Bare JSON (no envelope) answering TiQR `action=metadata`; the app needs all nine strings. */
export const TIQR_METADATA_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'TiQR enrollment metadata (bare JSON, no envelope)',
  required: ['service', 'identity'],
  properties: {
    service: {
      type: 'object',
      required: [
        'displayName',
        'identifier',
        'logoUrl',
        'infoUrl',
        'authenticationUrl',
        'ocraSuite',
        'enrollmentUrl',
      ],
      properties: {
        displayName: { type: 'string', description: 'TIQR_SERVICE_DISPLAYNAME' },
        identifier: { type: 'string', description: 'TIQR_SERVICE_IDENTIFIER (a host name)' },
        logoUrl: { type: 'string', description: 'TIQR_LOGO_URL, default /static/logo.png' },
        infoUrl: { type: 'string' },
        authenticationUrl: { type: 'string', description: 'where the app POSTs its responses' },
        ocraSuite: { type: 'string' },
        enrollmentUrl: { type: 'string', description: 'where the app POSTs its secret' },
      },
    },
    identity: {
      type: 'object',
      required: ['identifier', 'displayName'],
      properties: {
        identifier: { type: 'string', description: '`<login>_<realm>`, echoed as `userId`' },
        displayName: { type: 'string' },
      },
    },
  },
};

const METADATA = {
  service: {
    displayName: 'privacyIDEA',
    identifier: 'org.privacyidea',
    logoUrl: 'https://mfa.example.org/static/logo.png',
    infoUrl: 'https://www.privacyidea.org',
    authenticationUrl: BASE,
    ocraSuite: 'OCRA-1:HOTP-SHA1-6:QN10',
    enrollmentUrl: `${BASE}?action=enrollment&session=${SESSION}&serial=${SERIAL}`,
  },
  identity: { identifier: 'alice_realm1', displayName: 'alice' },
};

/** Plain-text replies (TiQR "v1 format", tiqr.md §3.3), each with what the app makes of it. */
const TIQR_TEXT_EXAMPLES = examples({
  ok: { summary: 'enrollment stored / response correct: the login is confirmed', value: 'OK' },
  invalidResponse: {
    summary: 'wrong OCRA response; the number is the attempts left before the token is blocked',
    value: 'INVALID_RESPONSE:9',
  },
  invalidResponseBlocked: {
    summary: 'wrong OCRA response and no attempts left (the app shows "blocked")',
    value: 'INVALID_RESPONSE:0',
  },
  invalidChallenge: {
    summary: 'sessionKey unknown, expired or already answered',
    value: 'INVALID_CHALLENGE',
  },
  accountBlocked: {
    summary: 'token not usable (disabled, revoked, locked, out of attempts…); nothing was marked',
    value: 'ACCOUNT_BLOCKED',
  },
  invalidUserid: {
    summary: "userId is not the token owner's identity identifier",
    value: 'INVALID_USERID',
  },
  invalidRequest: { summary: 'operation is not `login`', value: 'INVALID_REQUEST' },
});

/** One challenge as the phone receives it (push.md §5.1); all values are strings. */
export const PUSH_CHALLENGE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['nonce', 'question', 'serial', 'title', 'sslverify', 'url', 'signature'],
  properties: {
    nonce: { type: 'string', description: '32 base32 characters; identifies the challenge' },
    question: {
      type: 'string',
      description: 'PUSH_TEXT_ON_MOBILE (`{serial}`, `{user}`, `{realm}`)',
    },
    serial: { type: 'string' },
    title: { type: 'string', description: 'PUSH_TITLE_ON_MOBILE' },
    sslverify: { type: 'string', description: '`1` or `0` (PUSH_SSL_VERIFY)' },
    url: { type: 'string', description: 'where the app answers (PUSH_REGISTRATION_URL)' },
    signature: {
      type: 'string',
      description:
        'server key signature (RSASSA-PKCS1-v1_5/SHA-256, base32) over ' +
        '`{nonce}|{url}|{serial}|{question}|{title}|{sslverify}[|{require_presence}]`',
    },
    require_presence: {
      type: 'string',
      description: 'number matching only: the comma-separated options the phone shows',
    },
    version: { type: 'string', description: 'number matching only: `2`' },
  },
};

const PUSH_ENVELOPE_PROPERTIES: Record<string, SchemaObject> = {
  jsonrpc: { type: 'string' },
  version: { type: 'string' },
  versionnumber: { type: 'string' },
  id: { type: 'integer', description: 'always 1' },
  time: { type: 'number' },
};

const pushEnvelopeSchema = (
  description: string,
  value: SchemaObject,
  detail?: SchemaObject,
): SchemaObject => ({
  type: 'object',
  description,
  required: ['jsonrpc', 'result', 'id'],
  properties: {
    ...PUSH_ENVELOPE_PROPERTIES,
    result: {
      type: 'object',
      required: ['status', 'value'],
      properties: { status: { type: 'boolean', description: 'true' }, value },
    },
    ...(detail ? { detail } : {}),
  },
});

/** GET /ttype/push: the open challenges of the token, each freshly signed. */
export const PUSH_POLL_REPLY_SCHEMA = pushEnvelopeSchema(
  'Push poll reply (JSON envelope): the open challenges of the token',
  {
    type: 'array',
    items: PUSH_CHALLENGE_SCHEMA,
    description: 'open challenges of the token, empty when there are none',
  },
);

/** POST /ttype/push stage 2: the token is enrolled, the app gets the server key. */
export const PUSH_ENROLLMENT_REPLY_SCHEMA = pushEnvelopeSchema(
  'Push enrollment stage 2 reply (JSON envelope)',
  { type: 'boolean', description: 'true' },
  {
    type: 'object',
    required: ['serial', 'rollout_state', 'public_key'],
    properties: {
      serial: { type: 'string' },
      rollout_state: { type: 'string', description: '`enrolled`' },
      public_key: {
        type: 'string',
        description:
          "the server's RSA public key: PKCS#1 (RSAPublicKey) PEM body without the BEGIN/END " +
          'lines, line breaks (`\\n`) kept',
      },
      threadid: { type: 'integer' },
    },
  },
);

/** POST /ttype/push answer or Firebase token update. */
export const PUSH_VALUE_REPLY_SCHEMA = pushEnvelopeSchema(
  'Push answer / Firebase token update reply (JSON envelope)',
  {
    type: 'boolean',
    description:
      'answer: true = accepted or declined as asked; false = no open challenge matched (wrong ' +
      'signature or nonce, already answered, expired, token unusable) or a wrong ' +
      '`presence_answer` (the challenge is then refused). Token update: true.',
  },
);

const pushEnvelope = (value: unknown, detail?: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  result: { status: true, value },
  version: 'privacyIDEA 3.13',
  versionnumber: '3.13',
  id: 1,
  time: 1763870000.123,
  ...(detail ? { detail } : {}),
});

const PUSH_CHALLENGE = {
  nonce: PUSH_NONCE,
  question: 'Do you want to confirm the login?',
  serial: PUSH_SERIAL,
  title: 'privacyIDEA',
  sslverify: '1',
  url: PUSH_URL,
  signature: PUSH_SIG.challenge,
};

const PUSH_GET_EXAMPLES = examples({
  pushPoll: { summary: 'Push poll: one open challenge', value: pushEnvelope([PUSH_CHALLENGE]) },
  pushPollPresence: {
    summary: 'Push poll: a challenge with number matching (PUSH_REQUIRE_PRESENCE)',
    value: pushEnvelope([
      {
        ...PUSH_CHALLENGE,
        require_presence: 'A,B,C',
        version: '2',
        signature: PUSH_SIG.challengePresence,
      },
    ]),
  },
  pushPollEmpty: { summary: 'Push poll: nothing to answer', value: pushEnvelope([]) },
});

const PUSH_POST_EXAMPLES = examples({
  pushEnrolled: {
    summary: 'Push enrollment stage 2: enrolled; `detail.public_key` is the server key',
    value: pushEnvelope(true, {
      serial: PUSH_SERIAL,
      rollout_state: 'enrolled',
      public_key: PUSH_SERVER_KEY,
      threadid: 140234567890,
    }),
  },
  pushAnswered: {
    summary: 'Push answer: accepted (or declined, when `decline=1`)',
    value: pushEnvelope(true),
  },
  pushNotAnswered: {
    summary:
      'Push answer: nothing changed (no open challenge verifies) or a wrong presence answer ' +
      '(challenge refused)',
    value: pushEnvelope(false),
  },
  pushTokenUpdated: {
    summary: 'Push Firebase token update: stored',
    value: pushEnvelope(true),
  },
});

const METADATA_EXAMPLE = examples({
  tiqrMetadata: { summary: 'TiQR action=metadata', value: METADATA },
});

/** GET: TiQR metadata, or the Push poll reply. */
export const TTYPE_GET_OK_CONTENT: ContentObject = {
  'application/json': {
    schema: { anyOf: [TIQR_METADATA_SCHEMA, PUSH_POLL_REPLY_SCHEMA] },
    examples: { ...METADATA_EXAMPLE, ...PUSH_GET_EXAMPLES },
  },
};

/** POST: the plain-text TiQR replies or metadata; the Push envelopes. */
export const TTYPE_POST_OK_CONTENT: ContentObject = {
  'text/plain': { schema: { type: 'string' }, examples: TIQR_TEXT_EXAMPLES },
  'application/json': {
    schema: {
      anyOf: [TIQR_METADATA_SCHEMA, PUSH_ENROLLMENT_REPLY_SCHEMA, PUSH_VALUE_REPLY_SCHEMA],
    },
    examples: { ...METADATA_EXAMPLE, ...PUSH_POST_EXAMPLES },
  },
};

export const TTYPE_BAD_REQUEST_CONTENT: ContentObject = {
  'application/json': {
    examples: examples({
      missingParameter: {
        summary: 'a required parameter is missing (any action)',
        value: exampleErrorEnvelope(905, 'ERR905: Missing parameter: session'),
      },
      invalidSession: {
        summary: 'TiQR enrollment: session wrong or already used, or the token is enrolled',
        value: exampleErrorEnvelope(905, 'ERR905: Invalid Session'),
      },
      invalidSecret: {
        summary: 'TiQR enrollment: secret is not whole bytes in hex',
        value: exampleErrorEnvelope(
          905,
          'ERR905: Invalid parameter secret: whole bytes in hex are expected',
        ),
      },
      invalidOperation: {
        summary: 'TiQR enrollment: operation is not `register`',
        value: exampleErrorEnvelope(905, 'ERR905: Invalid operation for enrollment'),
      },
      unknownAction: {
        summary: 'TiQR: action other than metadata, enrollment, authentication',
        value: exampleErrorEnvelope(905, 'ERR905: Unknown action for tiqr: foo'),
      },
      unknownType: {
        summary: 'no such token type',
        value: exampleErrorEnvelope(905, 'ERR905: Invalid tokentype provided. ttype: foo'),
      },
      pushSignature: {
        summary:
          'Push poll (GET) or Firebase token update (POST): the signature does not verify, the ' +
          'serial is unknown, or the request is a replay (timestamp not later than the last one)',
        value: exampleErrorEnvelope(10, 'ERR10: Could not verify signature!'),
      },
      pushTimestampRange: {
        summary:
          'Push poll (±1 minute) or Firebase token update (±5 minutes): timestamp too far from ' +
          'the server clock',
        value: exampleErrorEnvelope(10, `ERR10: Timestamp ${PUSH_TIMESTAMP} not in valid range.`),
      },
      pushTimestampFormat: {
        summary: 'Push poll or Firebase token update: timestamp is not ISO 8601',
        value: exampleErrorEnvelope(
          10,
          'ERR10: Could not parse timestamp yesterday. ISO-Format required.',
        ),
      },
      pushInvalidCredential: {
        summary:
          'Push enrollment stage 2: wrong or already used enrollment credential (nothing changes)',
        value: exampleErrorEnvelope(
          905,
          'ERR905: Invalid enrollment credential. You are not authorized to finalize this token.',
        ),
      },
      pushCredentialExpired: {
        summary: 'Push enrollment stage 2: more than PUSH_TTL minutes after /token/init',
        value: exampleErrorEnvelope(
          905,
          'ERR905: The enrollment credential has expired (PUSH_TTL); enroll the token again.',
        ),
      },
      pushInvalidPubkey: {
        summary:
          'Push enrollment stage 2: pubkey is not an RSA SubjectPublicKeyInfo (2048–8192 bits)',
        value: exampleErrorEnvelope(905, 'ERR905: Invalid pubkey: phone public key is not base64'),
      },
      pushMissingParameters: {
        summary:
          'Push POST with neither (fbtoken, pubkey), nor signature, nor (new_fb_token, ' +
          'timestamp, signature)',
        value: exampleErrorEnvelope(905, 'ERR905: Missing parameters!'),
      },
    }),
  },
};

/** GET only: push polling switched off (PUSH_ALLOW_POLLING). */
export const TTYPE_FORBIDDEN_CONTENT: ContentObject = {
  'application/json': {
    examples: examples({
      pushPollingNotAllowed: {
        summary:
          "Push poll: PUSH_ALLOW_POLLING=deny, or `token` and the token's `polling_allowed` is " +
          '`False`',
        value: exampleErrorEnvelope(303, 'Polling not allowed!'),
      },
    }),
  },
};

export const TTYPE_NOT_FOUND_CONTENT: ContentObject = {
  'application/json': {
    examples: examples({
      unknownToken: {
        summary:
          'TiQR metadata/enrollment: no tiqr token with this serial; metadata also when the ' +
          'token is not waiting for its app or the session does not match (the app: invalid QR). ' +
          'Push answer (POST): no push token with this serial',
        value: exampleErrorEnvelope(601, 'The requested token could not be found.'),
      },
      pushNotClientwait: {
        summary:
          'Push enrollment stage 2 (POST): no push token with this serial waiting for its phone ' +
          '(unknown, or already enrolled)',
        value: exampleErrorEnvelope(
          601,
          "No token with this serial number in the rollout state 'clientwait'.",
        ),
      },
    }),
  },
};

export const TTYPE_GET_DESCRIPTION = [
  'Called by smartphone apps, no credential. What a call does depends on the token type.',
  '',
  '**TiQR** (`/ttype/tiqr`): `action=metadata&session=…&serial=…` answers the enrollment ' +
    'metadata as bare JSON (no envelope): `service.{displayName, identifier, logoUrl, infoUrl, ' +
    'authenticationUrl, ocraSuite, enrollmentUrl}` and `identity.{identifier, displayName}`. ' +
    'Errors use the JSON error envelope.',
  '',
  '**Push** (`/ttype/push`), poll: `serial`, `timestamp` (ISO 8601, within ±1 minute of the ' +
    "server clock and later than the token's previous poll) and `signature` (phone key over " +
    '`{serial}|{timestamp}`, base32), all required. The reply is the JSON envelope; ' +
    '`result.value` lists the open challenges of the token, each signed with the server key: ' +
    '`nonce`, `question`, `serial`, `title`, `sslverify`, `url`, `signature`, and with number ' +
    'matching `require_presence` (the options) and `version` (`2`). Errors: HTTP 400 ' +
    '`ERR10: Could not verify signature!` (bad signature, unknown serial or a replayed poll), ' +
    '`ERR10: Timestamp … not in valid range.`, `ERR10: Could not parse timestamp … ISO-Format ' +
    'required.`; HTTP 403 `Polling not allowed!` (`PUSH_ALLOW_POLLING`).',
].join('\n');

export const TTYPE_POST_DESCRIPTION = [
  'Called by smartphone apps, no credential. Parameters may come from the query string and a ' +
    'form (or JSON) body; both are merged. What a call does depends on the token type.',
  '',
  '**TiQR** (`/ttype/tiqr`), selected by the `action` query parameter:',
  '',
  '| action | parameters | reply |',
  '| --- | --- | --- |',
  '| `metadata` | query `session`, `serial` | bare JSON metadata (as GET) |',
  '| `enrollment` | query `session`, `serial`; form `secret` (hex), `language`, ' +
    '`notificationAddress`, `notificationType`, `operation=register` | `text/plain` `OK` |',
  '| `authentication` (default) | form `sessionKey`, `userId`, `response`, `language`, ' +
    '`notificationAddress`, `notificationType`, `operation=login` | `text/plain`, see below |',
  '',
  'Authentication replies (HTTP 200, `text/plain`):',
  '',
  '| body | meaning |',
  '| --- | --- |',
  '| `OK` | correct response; the challenge counts as answered (the RP polls, then finalizes) |',
  '| `INVALID_RESPONSE:<n>` | wrong response, `<n>` attempts left (`0`: the token is now blocked) |',
  '| `INVALID_CHALLENGE` | `sessionKey` unknown, expired or already answered |',
  '| `ACCOUNT_BLOCKED` | token not usable (disabled, revoked, locked, out of attempts…); ' +
    'nothing changed |',
  "| `INVALID_USERID` | `userId` is not the token owner's identifier |",
  '| `INVALID_REQUEST` | `operation` is not `login` |',
  '',
  'Missing parameters, an unknown action and a refused enrollment (wrong or used session, ' +
    'secret not hex, operation not `register`) are answered with the JSON error envelope ' +
    '(HTTP 400); an unknown token, and metadata for a token not awaiting this session, with ' +
    'HTTP 404.',
  '',
  '**Push** (`/ttype/push`, privacyIDEA Authenticator): form fields, no `action`; the fields ' +
    'present select the request, in this order. Every reply is the JSON envelope.',
  '',
  '| request | fields | reply `result.value` |',
  '| --- | --- | --- |',
  '| enrollment stage 2 (`fbtoken` and `pubkey` present) | `serial`, ' +
    '`enrollment_credential`, `fbtoken`, `pubkey` | `true`; `detail.public_key` (server key, ' +
    'PKCS#1 body), `detail.rollout_state` `enrolled` |',
  '| answer (`signature` present, no `new_fb_token`) | `serial`, `nonce`, `signature`; ' +
    'optional `decline=1`, `decline_reason`, `presence_answer` | `true` accepted/declined, ' +
    '`false` nothing matched or wrong `presence_answer` |',
  '| Firebase token update (`new_fb_token`, `timestamp`, `signature`) | `serial`, ' +
    '`new_fb_token`, `timestamp` (±5 minutes), `signature` | `true` |',
  '',
  'Signed strings (phone key, RSASSA-PKCS1-v1_5/SHA-256, base32 with padding): accept ' +
    '`{nonce}|{serial}`, with number matching `{nonce}|{serial}|{presence_answer}`, decline ' +
    '`{nonce}|{serial}|decline[|{decline_reason}]`, token update ' +
    '`{new_fb_token}|{serial}|{timestamp}`. A wrong `presence_answer` refuses the challenge ' +
    '(no second try). An answer only ever changes an open challenge, once.',
  '',
  'Errors: HTTP 400 `ERR905: Missing parameters!` (none of the three field sets), ' +
    '`ERR905: Missing parameter: …`, `ERR905: Invalid enrollment credential. You are not ' +
    'authorized to finalize this token.` (wrong or used), the credential expired (`PUSH_TTL`), ' +
    'an invalid `pubkey`; token update: `ERR10: Could not verify signature!` (also for a ' +
    'replay) and the timestamp errors of the poll; HTTP 404 `No token with this serial number ' +
    "in the rollout state 'clientwait'.` (stage 2) and an unknown serial (answer).",
].join('\n');
