import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImportFormatError } from './imported-token';
import { classifyAlgorithm, parsePskcTokens } from './pskc.parser';

// The module object itself (not an import copy), so spies see the parser's calls.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeCrypto = require('node:crypto') as typeof import('node:crypto');

const fixture = (name: string): string =>
  readFileSync(join(__dirname, '../../../test/fixtures/import', name), 'utf8');

const K20 = '3132333435363738393031323334353637383930';
const K32 = `${K20}313233343536373839303132`;
/** Pre-shared key of pskc-encrypted.xml, pskc-corrupted.xml and RFC 6030 Figure 6. */
const PSK = '12345678901234567890123456789012';
const XENC = 'http://www.w3.org/2001/04/xmlenc#';

const ENCRYPTED_TOKENS = [
  {
    serial: 'ENC0001',
    type: 'hotp',
    otpkey: K20,
    otplen: 6,
    hashlib: 'sha1',
    counter: 5,
    description: 'TokenVendorAcme',
  },
  {
    serial: 'ENC0002',
    type: 'totp',
    otpkey: K32,
    otplen: 8,
    hashlib: 'sha256',
    timeStep: 30,
    description: 'TokenVendorAcme',
  },
  {
    serial: 'ENC0003',
    type: 'ocra',
    otpkey: K20,
    otplen: 6,
    hashlib: 'sha1',
    ocrasuite: 'OCRA-1:HOTP-SHA1-6:QN08',
    description: 'TokenVendorAcme',
  },
];

/** A plain-secret container around the given KeyPackage bodies. */
function container(...packages: string[]): string {
  return `<?xml version="1.0"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
${packages.map((p) => `<KeyPackage>${p}</KeyPackage>`).join('\n')}
</KeyContainer>`;
}

function plainKey(
  id: string,
  algorithm: string,
  opts: { params?: string; data?: string; extra?: string; secret?: string } = {},
): string {
  const secret = opts.secret ?? Buffer.from(K20, 'hex').toString('base64');
  return `<Key Id="${id}" Algorithm="${algorithm}">
  <AlgorithmParameters>${opts.params ?? ''}</AlgorithmParameters>
  <Data><Secret><PlainValue>${secret}</PlainValue></Secret>${opts.data ?? ''}</Data>
  ${opts.extra ?? ''}
</Key>`;
}

const HOTP = 'urn:ietf:params:xml:ns:keyprov:pskc:hotp';
const TOTP = 'urn:ietf:params:xml:ns:keyprov:pskc:totp';

function cbcEncrypt(cipher: string, key: Buffer, plain: Buffer): Buffer {
  const iv = randomBytes(16);
  const c = createCipheriv(cipher, key, iv);
  return Buffer.concat([iv, c.update(plain), c.final()]);
}

/** An encrypted container built on the fly (used for AES-256 and algorithm mismatches). */
function encryptedContainer(
  psk: Buffer,
  opts: { macKeyAlgorithm: string; secretAlgorithm: string; cipher: string },
): string {
  const macKey = randomBytes(20);
  const macBlob = cbcEncrypt(opts.cipher, psk, macKey);
  const secretBlob = cbcEncrypt(opts.cipher, psk, Buffer.from(K32, 'hex'));
  const mac = createHmac('sha1', macKey).update(secretBlob).digest('base64');
  return `<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xenc="${XENC}">
  <EncryptionKey><ds:KeyName>Pre-shared-key</ds:KeyName></EncryptionKey>
  <MACMethod Algorithm="http://www.w3.org/2000/09/xmldsig#hmac-sha1">
    <MACKey>
      <xenc:EncryptionMethod Algorithm="${XENC}${opts.macKeyAlgorithm}"/>
      <xenc:CipherData><xenc:CipherValue>${macBlob.toString('base64')}</xenc:CipherValue></xenc:CipherData>
    </MACKey>
  </MACMethod>
  <KeyPackage>
    <DeviceInfo><SerialNo>AES256</SerialNo></DeviceInfo>
    <Key Id="1" Algorithm="${TOTP}">
      <AlgorithmParameters><Suite>sha256</Suite></AlgorithmParameters>
      <Data>
        <Secret>
          <EncryptedValue>
            <xenc:EncryptionMethod Algorithm="${XENC}${opts.secretAlgorithm}"/>
            <xenc:CipherData><xenc:CipherValue>${secretBlob.toString('base64')}</xenc:CipherValue></xenc:CipherData>
          </EncryptedValue>
          <ValueMAC>${mac}</ValueMAC>
        </Secret>
      </Data>
    </Key>
  </KeyPackage>
</KeyContainer>`;
}

describe('parsePskcTokens: plain secrets', () => {
  it('reads pskc-plain.xml (two HOTP keys and one TOTP key)', async () => {
    expect(await parsePskcTokens(fixture('pskc-plain.xml'), {})).toEqual({
      tokens: [
        {
          serial: 'HOTP0001',
          type: 'hotp',
          otpkey: K20,
          otplen: 6,
          hashlib: 'sha1',
          counter: 0,
          user: 'alice',
          description: "Alice & Bob's token",
        },
        {
          serial: 'HOTP0002',
          type: 'hotp',
          otpkey: K32,
          otplen: 8,
          hashlib: 'sha256',
          counter: 42,
          description: 'TokenVendorAcme',
        },
        {
          serial: 'TOTP0001',
          type: 'totp',
          otpkey: K20,
          otplen: 8,
          hashlib: 'sha1',
          timeStep: 60,
          description: 'TokenVendorAcme',
        },
      ],
      errors: [],
    });
  });

  it('ignores a pre-shared key given for a plain file', async () => {
    expect(
      (await parsePskcTokens(fixture('pskc-plain.xml'), { preSharedKey: PSK })).tokens,
    ).toHaveLength(3);
  });

  it('reports every bad KeyPackage and keeps the good ones', async () => {
    const xml = container(
      `<DeviceInfo><SerialNo>GOOD1</SerialNo></DeviceInfo>${plainKey('x', HOTP)}`,
      `<DeviceInfo><SerialNo>bad serial</SerialNo></DeviceInfo>${plainKey('x', HOTP)}`,
      plainKey('YUBI', 'http://www.yubico.com/#yubikey-aes'),
      `<Key Id="NOSECRET" Algorithm="${HOTP}"><Data><Counter><PlainValue>0</PlainValue></Counter></Data></Key>`,
      plainKey('LEN7', HOTP, { params: '<ResponseFormat Length="7" Encoding="DECIMAL"/>' }),
      plainKey('ALNUM', HOTP, { params: '<ResponseFormat Length="8" Encoding="ALPHANUMERIC"/>' }),
      plainKey('B64', HOTP, { secret: 'not*base64' }),
      plainKey('SHA384', TOTP, { params: '<Suite>HMAC-SHA384</Suite>' }),
      plainKey('CTR', HOTP, { data: '<Counter><PlainValue>-3</PlainValue></Counter>' }),
      plainKey('STEP', TOTP, { data: '<TimeInterval><PlainValue>0</PlainValue></TimeInterval>' }),
      `<DeviceInfo><SerialNo>GOOD1</SerialNo></DeviceInfo>${plainKey('x', TOTP)}`,
      '<DeviceInfo><SerialNo>NOKEY</SerialNo></DeviceInfo>',
      plainKey('OCRA1', 'urn:ietf:params:xml:ns:keyprov:pskc:ocra'),
    );
    const result = await parsePskcTokens(xml, {});
    expect(result.tokens).toEqual([
      { serial: 'GOOD1', type: 'hotp', otpkey: K20, otplen: 6, hashlib: 'sha1' },
    ]);
    expect(result.errors).toEqual([
      {
        record: 2,
        serial: 'bad serial',
        reason:
          'invalid serial: only letters, digits, "-" and "_" are allowed (at most 40 characters)',
      },
      {
        record: 3,
        serial: 'YUBI',
        reason: 'unsupported key algorithm "http://www.yubico.com/#yubikey-aes"',
      },
      {
        record: 4,
        serial: 'NOSECRET',
        reason: 'no secret (Data/Secret has no PlainValue or EncryptedValue)',
      },
      { record: 5, serial: 'LEN7', reason: 'otplen must be 6 or 8, got "7"' },
      { record: 6, serial: 'ALNUM', reason: 'unsupported response encoding "ALPHANUMERIC"' },
      { record: 7, serial: 'B64', reason: 'secret PlainValue is not valid base64' },
      { record: 8, serial: 'SHA384', reason: 'hash algorithm sha384 is not supported' },
      {
        record: 9,
        serial: 'CTR',
        reason: 'Counter must be an integer from 0 to 2000000000, got "-3"',
      },
      {
        record: 10,
        serial: 'STEP',
        reason: 'timeStep must be an integer from 1 to 3600, got "0"',
      },
      { record: 11, serial: 'GOOD1', reason: 'duplicate serial (also in KeyPackage 1)' },
      { record: 12, reason: 'KeyPackage has no Key' },
      { record: 13, serial: 'OCRA1', reason: 'OCRA key without a suite' },
    ]);
  });

  it('reads OCRA suites from the algorithm URI or <Suite>, and hash hints', async () => {
    const xml = container(
      plainKey('OCRA1', 'urn:ietf:params:xml:ns:keyprov:pskc:ocra', {
        params: '<Suite>OCRA-1:HOTP-SHA256-8:C-QN08</Suite>',
        data: '<Counter><PlainValue>7</PlainValue></Counter>',
      }),
      plainKey('OCRA2', 'urn:ietf:params:xml:ns:keyprov:pskc#OCRA-1:HOTP-SHA512-6:QH40-T30S', {
        params: '<ResponseFormat Length="6" Encoding="DECIMAL"/>',
      }),
      plainKey('OCRA3', 'urn:ietf:params:xml:ns:keyprov:pskc#OCRA-1:HOTP-SHA1-6:QN08', {
        params: '<ResponseFormat Length="8" Encoding="DECIMAL"/>',
      }),
      // privacyIDEA's own PSKC export writes <Suite hashalgo="…"/>.
      plainKey('PIEXPORT', TOTP, { params: '<Suite hashalgo="sha512"/>' }),
      plainKey('URIHASH', 'urn:ietf:params:xml:ns:keyprov:pskc#totp-sha256'),
    );
    const result = await parsePskcTokens(xml, {});
    expect(result.tokens).toEqual([
      {
        serial: 'OCRA1',
        type: 'ocra',
        otpkey: K20,
        otplen: 8,
        hashlib: 'sha256',
        ocrasuite: 'OCRA-1:HOTP-SHA256-8:C-QN08',
        counter: 7,
      },
      {
        serial: 'OCRA2',
        type: 'ocra',
        otpkey: K20,
        otplen: 6,
        hashlib: 'sha512',
        ocrasuite: 'OCRA-1:HOTP-SHA512-6:QH40-T30S',
      },
      { serial: 'PIEXPORT', type: 'totp', otpkey: K20, otplen: 6, hashlib: 'sha512', timeStep: 30 },
      { serial: 'URIHASH', type: 'totp', otpkey: K20, otplen: 6, hashlib: 'sha256', timeStep: 30 },
    ]);
    expect(result.errors).toEqual([
      {
        record: 3,
        serial: 'OCRA3',
        reason: 'ResponseFormat Length 8 does not match the OCRA suite',
      },
    ]);
  });

  it('maps YubiKey "<serial>:<slot>" HOTP key ids like privacyIDEA (UBOM<serial>_<slot>)', async () => {
    const xml = container(
      `<DeviceInfo><Manufacturer>Yubico</Manufacturer><SerialNo>10944003</SerialNo></DeviceInfo>
       ${plainKey('10944003:1', HOTP, { data: '<Counter><PlainValue>0</PlainValue></Counter>' })}`,
    );
    expect((await parsePskcTokens(xml, {})).tokens).toEqual([
      {
        serial: 'UBOM10944003_1',
        type: 'hotp',
        otpkey: K20,
        otplen: 6,
        hashlib: 'sha1',
        counter: 0,
        description: 'Yubico',
      },
    ]);
  });

  it('attaches a referenced PIN key when the server checks the PIN (RFC 6030 Figure 5)', async () => {
    const pinPackage = `<DeviceInfo><SerialNo>987654321</SerialNo></DeviceInfo>
      ${plainKey('123456781', 'urn:ietf:params:xml:ns:keyprov:pskc:pin', { secret: 'MTIzNA==' })}`;
    const withMode = (mode: string, serial: string): string =>
      `<DeviceInfo><SerialNo>${serial}</SerialNo></DeviceInfo>
       ${plainKey('12345678', HOTP, {
         extra: `<Policy><PINPolicy MinLength="4" MaxLength="4" PINKeyId="123456781"
                 PINEncoding="DECIMAL" PINUsageMode="${mode}"/><KeyUsage>OTP</KeyUsage></Policy>`,
       })}`;
    const result = await parsePskcTokens(
      container(
        withMode('Local', 'LOCALPIN'),
        withMode('Prepend', 'SERVERPIN'),
        withMode('Append', 'APPENDPIN'),
        pinPackage,
      ),
      {},
    );
    expect(result.tokens).toEqual([
      { serial: 'LOCALPIN', type: 'hotp', otpkey: K20, otplen: 6, hashlib: 'sha1' },
      { serial: 'SERVERPIN', type: 'hotp', otpkey: K20, otplen: 6, hashlib: 'sha1', pin: '1234' },
    ]);
    expect(result.errors).toEqual([
      { record: 3, serial: 'APPENDPIN', reason: 'PINUsageMode Append is not supported' },
    ]);
  });

  it('range-checks Counter so that it fits the database column', async () => {
    const counter = (id: string, value: string) =>
      `<DeviceInfo><SerialNo>${id}</SerialNo></DeviceInfo>${plainKey(id, HOTP, {
        data: `<Counter><PlainValue>${value}</PlainValue></Counter>`,
      })}`;
    const result = await parsePskcTokens(
      container(
        counter('MAX', '2000000000'),
        counter('INT31', '2147483648'),
        counter('BIG', '1'.repeat(25)),
      ),
      {},
    );
    expect(result.tokens.map((t) => [t.serial, t.counter])).toEqual([['MAX', 2_000_000_000]]);
    expect(result.errors).toEqual([
      {
        record: 2,
        serial: 'INT31',
        reason: 'Counter must be an integer from 0 to 2000000000, got "2147483648"',
      },
      {
        record: 3,
        serial: 'BIG',
        reason: `Counter must be an integer from 0 to 2000000000, got "${'1'.repeat(20)}"`,
      },
    ]);
  });

  it('does not resolve undeclared entities', async () => {
    const xml = container(plainKey('ENT', HOTP, { secret: '&xxe;' }));
    expect((await parsePskcTokens(xml, {})).errors).toEqual([
      { record: 1, serial: 'ENT', reason: 'secret PlainValue is not valid base64' },
    ]);
  });

  it('accepts namespace prefixes, numeric character references and a BOM', async () => {
    const xml = `\uFEFF<p:KeyContainer xmlns:p="urn:ietf:params:xml:ns:keyprov:pskc" Version="1.0">
      <p:KeyPackage><p:DeviceInfo><p:SerialNo>&#x50;FX1</p:SerialNo></p:DeviceInfo>
      <p:Key Id="k" Algorithm="${HOTP}"><p:Data><p:Secret>
        <p:PlainValue>${Buffer.from(K20, 'hex').toString('base64')}</p:PlainValue>
      </p:Secret></p:Data></p:Key></p:KeyPackage></p:KeyContainer>`;
    expect((await parsePskcTokens(xml, {})).tokens.map((t) => t.serial)).toEqual(['PFX1']);
  });
});

describe('parsePskcTokens: pre-shared key encryption (RFC 6030 §6.1)', () => {
  it('decrypts pskc-encrypted.xml with the pre-shared key', async () => {
    expect(await parsePskcTokens(fixture('pskc-encrypted.xml'), { preSharedKey: PSK })).toEqual({
      tokens: ENCRYPTED_TOKENS,
      errors: [],
    });
  });

  it('accepts the pre-shared key in upper case', async () => {
    const result = await parsePskcTokens(fixture('pskc-encrypted.xml'), {
      preSharedKey: PSK.toUpperCase(),
    });
    expect(result.tokens).toHaveLength(3);
  });

  it('reports the KeyPackage whose ValueMAC does not match (pskc-corrupted.xml)', async () => {
    expect(await parsePskcTokens(fixture('pskc-corrupted.xml'), { preSharedKey: PSK })).toEqual({
      tokens: [ENCRYPTED_TOKENS[0], ENCRYPTED_TOKENS[2]],
      errors: [{ record: 2, serial: 'ENC0002', reason: 'MAC check failed' }],
    });
  });

  it('detects a flipped ciphertext bit through the MAC', async () => {
    const xml = fixture('pskc-encrypted.xml');
    const cipherValues = [...xml.matchAll(/<xenc:CipherValue>([^<]+)</g)].map((m) => m[1]);
    const blob = Buffer.from(cipherValues[1], 'base64'); // [0] is the MAC key
    blob[20] ^= 0x80;
    const tampered = xml.replace(cipherValues[1], blob.toString('base64'));
    const result = await parsePskcTokens(tampered, { preSharedKey: PSK });
    expect(result.errors).toEqual([{ record: 1, serial: 'ENC0001', reason: 'MAC check failed' }]);
    expect(result.tokens.map((t) => t.serial)).toEqual(['ENC0002', 'ENC0003']);
  });

  it('throws when the pre-shared key is missing', async () => {
    await expect(parsePskcTokens(fixture('pskc-encrypted.xml'), {})).rejects.toThrow(
      ImportFormatError,
    );
    await expect(parsePskcTokens(fixture('pskc-encrypted.xml'), {})).rejects.toThrow(
      'PSKC import: the file is encrypted; a pre-shared key is required',
    );
  });

  it('throws when the pre-shared key is wrong (MAC key padding)', async () => {
    const wrong = '12345678901234567890123456789013';
    await expect(
      parsePskcTokens(fixture('pskc-encrypted.xml'), { preSharedKey: wrong }),
    ).rejects.toThrow(
      'PSKC import: wrong pre-shared key or password (the MAC key does not decrypt)',
    );
  });

  it('imports nothing when a wrong key happens to give valid MAC key padding', async () => {
    const xml = fixture('pskc-encrypted.xml');
    const macKeyBlob = Buffer.from(/<xenc:CipherValue>([^<]+)</.exec(xml)![1], 'base64');
    // About one key in 256 yields valid PKCS#7 padding; the ValueMACs still catch it.
    let lucky: string | undefined;
    for (let i = 0; lucky === undefined; i++) {
      const candidate = i.toString(16).padStart(32, '0');
      const d = createDecipheriv(
        'aes-128-cbc',
        Buffer.from(candidate, 'hex'),
        macKeyBlob.subarray(0, 16),
      );
      try {
        Buffer.concat([d.update(macKeyBlob.subarray(16)), d.final()]);
        lucky = candidate;
      } catch {
        // bad padding, try the next key
      }
    }
    const result = await parsePskcTokens(xml, { preSharedKey: lucky });
    expect(result.tokens).toEqual([]);
    expect(result.errors).toEqual([
      { record: 1, serial: 'ENC0001', reason: 'MAC check failed' },
      { record: 2, serial: 'ENC0002', reason: 'MAC check failed' },
      { record: 3, serial: 'ENC0003', reason: 'MAC check failed' },
    ]);
  });

  it.each(['xyz', '1234', `${PSK}00`])('throws for a malformed pre-shared key %p', async (psk) => {
    await expect(
      parsePskcTokens(fixture('pskc-encrypted.xml'), { preSharedKey: psk }),
    ).rejects.toThrow('PSKC import: the pre-shared key must be 16, 24 or 32 bytes as hex');
  });

  it('supports AES-256-CBC with a 32-byte pre-shared key', async () => {
    const psk = randomBytes(32);
    const xml = encryptedContainer(psk, {
      macKeyAlgorithm: 'aes256-cbc',
      secretAlgorithm: 'aes256-cbc',
      cipher: 'aes-256-cbc',
    });
    expect(await parsePskcTokens(xml, { preSharedKey: psk.toString('hex') })).toEqual({
      tokens: [
        { serial: 'AES256', type: 'totp', otpkey: K32, otplen: 6, hashlib: 'sha256', timeStep: 30 },
      ],
      errors: [],
    });
  });

  it('throws when the key size does not fit the MAC key algorithm', async () => {
    const xml = encryptedContainer(randomBytes(16), {
      macKeyAlgorithm: 'aes128-cbc',
      secretAlgorithm: 'aes128-cbc',
      cipher: 'aes-128-cbc',
    });
    await expect(parsePskcTokens(xml, { preSharedKey: 'ab'.repeat(32) })).rejects.toThrow(
      'PSKC import: cannot decrypt the MAC key: aes128-cbc needs a 16-byte key',
    );
  });

  it('reports an unsupported secret encryption algorithm per record', async () => {
    const psk = randomBytes(16);
    const xml = encryptedContainer(psk, {
      macKeyAlgorithm: 'aes128-cbc',
      secretAlgorithm: 'kw-aes128',
      cipher: 'aes-128-cbc',
    });
    expect((await parsePskcTokens(xml, { preSharedKey: psk.toString('hex') })).errors).toEqual([
      {
        record: 1,
        serial: 'AES256',
        reason: `unsupported encryption algorithm "${XENC}kw-aes128"`,
      },
    ]);
  });

  it('throws for encrypted values without a MACMethod', async () => {
    const xml = fixture('pskc-encrypted.xml').replace(/<MACMethod[\s\S]*<\/MACMethod>/, '');
    await expect(parsePskcTokens(xml, { preSharedKey: PSK })).rejects.toThrow(
      'PSKC import: encrypted values without a MACMethod cannot be integrity-checked',
    );
  });

  it('reports an encrypted Counter as unsupported', async () => {
    const xml = fixture('pskc-encrypted.xml').replace(
      '<PlainValue>5</PlainValue>',
      '<EncryptedValue/>',
    );
    expect((await parsePskcTokens(xml, { preSharedKey: PSK })).errors).toEqual([
      { record: 1, serial: 'ENC0001', reason: 'encrypted Counter is not supported' },
    ]);
  });

  it('reports an encrypted secret without ValueMAC', async () => {
    const xml = fixture('pskc-encrypted.xml').replace(/<ValueMAC>[^<]*<\/ValueMAC>/, '');
    expect((await parsePskcTokens(xml, { preSharedKey: PSK })).errors).toEqual([
      {
        record: 1,
        serial: 'ENC0001',
        reason: 'missing or malformed ValueMAC for the encrypted secret',
      },
    ]);
  });
});

describe('parsePskcTokens: RFC 6030 examples', () => {
  const figure6 = [
    {
      serial: '987654321',
      type: 'hotp',
      otpkey: K20,
      otplen: 8,
      hashlib: 'sha1',
      counter: 0,
      description: 'Manufacturer',
    },
  ];
  const figure7 = [
    {
      serial: '987654321',
      type: 'hotp',
      otpkey: K20,
      otplen: 8,
      hashlib: 'sha1',
      description: 'TokenVendorAcme',
    },
  ];

  it('§6.1 Figure 6: pre-shared key 12345678901234567890123456789012', async () => {
    expect(await parsePskcTokens(fixture('rfc6030-figure6.xml'), { preSharedKey: PSK })).toEqual({
      tokens: figure6,
      errors: [],
    });
  });

  it('§6.2 Figure 7: PBKDF2 key from the password "qwerty"', async () => {
    expect(await parsePskcTokens(fixture('rfc6030-figure7.xml'), { password: 'qwerty' })).toEqual({
      tokens: figure7,
      errors: [],
    });
  });

  it('§6.2 Figure 7: the derived key can be given as the pre-shared key', async () => {
    const derived = '651e63cd57008476af1ff6422cd02e41';
    expect(
      (await parsePskcTokens(fixture('rfc6030-figure7.xml'), { preSharedKey: derived })).tokens,
    ).toEqual(figure7);
  });

  it('§6.2 Figure 7: missing or wrong password', async () => {
    await expect(parsePskcTokens(fixture('rfc6030-figure7.xml'), {})).rejects.toThrow(
      'PSKC import: the file is encrypted with a password-derived key; a password is required',
    );
    await expect(
      parsePskcTokens(fixture('rfc6030-figure7.xml'), { password: 'qwertz' }),
    ).rejects.toThrow(
      'PSKC import: wrong pre-shared key or password (the MAC key does not decrypt)',
    );
  });

  const withIterations = (count: string) =>
    fixture('rfc6030-figure7.xml').replace(
      '<IterationCount>1000</IterationCount>',
      `<IterationCount>${count}</IterationCount>`,
    );

  it('refuses a PBKDF2 iteration count above the cap before deriving anything', async () => {
    const pbkdf2 = jest.spyOn(nodeCrypto, 'pbkdf2');
    try {
      await expect(
        parsePskcTokens(withIterations('100000000'), { password: 'qwerty' }),
      ).rejects.toThrow(
        'PSKC import: PBKDF2 iteration count must be 1 to 200000 (PSKC_MAX_PBKDF2_ITERATIONS)',
      );
      await expect(
        parsePskcTokens(withIterations('1001'), { password: 'qwerty', maxPbkdf2Iterations: 1000 }),
      ).rejects.toThrow(/^PSKC import: PBKDF2 iteration count must be 1 to 1000 /);
      for (const bad of ['0', '-5', '1e3', '12.5', 'many', '9'.repeat(40)]) {
        await expect(parsePskcTokens(withIterations(bad), { password: 'qwerty' })).rejects.toThrow(
          ImportFormatError,
        );
      }
      expect(pbkdf2).not.toHaveBeenCalled();
    } finally {
      pbkdf2.mockRestore();
    }
  });

  it('derives the key with the asynchronous PBKDF2 up to the cap', async () => {
    const pbkdf2 = jest.spyOn(nodeCrypto, 'pbkdf2');
    const pbkdf2Sync = jest.spyOn(nodeCrypto, 'pbkdf2Sync');
    try {
      const result = await parsePskcTokens(withIterations('1000'), {
        password: 'qwerty',
        maxPbkdf2Iterations: 1000,
      });
      expect(result.tokens).toEqual(figure7);
      expect(pbkdf2).toHaveBeenCalledTimes(1);
      expect(pbkdf2Sync).not.toHaveBeenCalled();
    } finally {
      pbkdf2.mockRestore();
      pbkdf2Sync.mockRestore();
    }
  });
});

describe('parsePskcTokens: hostile and malformed files', () => {
  it('refuses pskc-xxe.xml (external entity and billion laughs) without expanding it', async () => {
    const xml = fixture('pskc-xxe.xml');
    const started = Date.now();
    await expect(parsePskcTokens(xml, {})).rejects.toThrow(ImportFormatError);
    await expect(parsePskcTokens(xml, {})).rejects.toThrow(
      'PSKC import: DOCTYPE and entity declarations are not allowed (refusing a possible XXE or entity-expansion attack)',
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it.each([
    [
      'lower-case doctype',
      '<!doctype KeyContainer SYSTEM "http://attacker.example/x.dtd"><KeyContainer/>',
    ],
    ['stray entity declaration', '<KeyContainer><!ENTITY x "y"></KeyContainer>'],
  ])('refuses a %s', async (_name, xml) => {
    await expect(parsePskcTokens(xml, {})).rejects.toThrow(/DOCTYPE and entity declarations/);
  });

  it('refuses deep nesting with ImportFormatError instead of exhausting the stack', async () => {
    const depth = 100_000;
    const xml = `<KeyContainer>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</KeyContainer>`;
    await expect(parsePskcTokens(xml, {})).rejects.toThrow(ImportFormatError);
    await expect(parsePskcTokens(xml, {})).rejects.toThrow(/nested tags/i);
  });

  it.each([
    ['text that is not XML', 'serial,key', /PSKC import: not well-formed XML/],
    ['unclosed elements', '<KeyContainer><KeyPackage>', /PSKC import: not well-formed XML/],
    ['two root elements', '<KeyContainer/><KeyContainer/>', /expected exactly one root element/],
    [
      'another root element',
      '<Tokens><Token serial="1"/></Tokens>',
      /not a PSKC document \(root element is <Tokens>, expected <KeyContainer>\)/,
    ],
    ['an empty container', '<KeyContainer Version="1.0"/>', /the file contains no KeyPackage/],
  ])('throws ImportFormatError for %s', async (_name, xml, message) => {
    await expect(parsePskcTokens(xml, {})).rejects.toThrow(ImportFormatError);
    await expect(parsePskcTokens(xml, {})).rejects.toThrow(message);
  });

  it('refuses asymmetric key transport (RFC 6030 Figure 8)', async () => {
    const xml = `<KeyContainer xmlns="urn:ietf:params:xml:ns:keyprov:pskc"
        xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xenc="${XENC}" Version="1.0">
      <EncryptionKey><ds:X509Data><ds:X509Certificate>MIIB</ds:X509Certificate></ds:X509Data></EncryptionKey>
      <KeyPackage><Key Id="MBK000000001" Algorithm="${HOTP}"><Data><Secret><EncryptedValue>
        <xenc:EncryptionMethod Algorithm="${XENC}rsa_1_5"/>
        <xenc:CipherData><xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData>
      </EncryptedValue></Secret></Data></Key></KeyPackage></KeyContainer>`;
    await expect(parsePskcTokens(xml, { preSharedKey: PSK })).rejects.toThrow(
      'PSKC import: asymmetric (X.509) key transport is not supported',
    );
  });
});

describe('classifyAlgorithm', () => {
  it.each([
    ['urn:ietf:params:xml:ns:keyprov:pskc:hotp', { type: 'hotp' }],
    ['urn:ietf:params:xml:ns:keyprov:pskc#totp', { type: 'totp' }],
    ['http://www.ietf.org/keyprov/pskc#hotp', { type: 'hotp' }],
    ['urn:ietf:params:xml:ns:keyprov:pskc:pin', { type: 'pin' }],
    [
      'urn:ietf:params:xml:ns:keyprov:pskc:OCRA-1:HOTP-SHA1-6:QN08',
      { type: 'ocra', ocrasuite: 'OCRA-1:HOTP-SHA1-6:QN08' },
    ],
    ['urn:ietf:params:xml:ns:keyprov:pskc#totp-sha512', { type: 'totp', hashHint: 'sha512' }],
    ['http://www.yubico.com/#yubikey-aes', undefined],
    ['urn:ietf:params:xml:ns:keyprov:pskc:pw', undefined],
  ])('%s', (uri, expected) => {
    expect(classifyAlgorithm(uri)).toEqual(expected);
  });
});
