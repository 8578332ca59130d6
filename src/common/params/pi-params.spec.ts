import { IsIn, validateSync } from 'class-validator';
import { CheckDto } from '../../validate/dto/check.dto';
import { PollTransactionDto } from '../../validate/dto/poll.dto';
import { TriggerChallengeDto } from '../../validate/dto/trigger.dto';
import { InitTokenDto, SerialDto, TokenSelectorDto } from '../../token/dto/token-params.dto';
import {
  fieldRulesOf,
  OptionalField,
  OptionalListField,
  RequiredField,
  RequiredListField,
} from './param-fields';
import { buildDto, hasCompleteFieldRules, PiDto } from './pi-params.decorator';
import { isSafeKey } from './url-decoding';

class ListDto extends PiDto {
  @RequiredListField({ description: 'required list' })
  realms!: string | string[];

  @OptionalListField({ description: 'optional list' })
  tokenrealm?: string | string[];

  @RequiredField({ description: 'pass', maxLength: 8, allowEmpty: true })
  pass!: string;
}

class ExtendedDto extends CheckDto {
  @OptionalField({ description: 'extra', maxLength: 4, identifier: true })
  extra?: string;
}

/** A check param-fields does not describe: such a DTO always goes through class-validator. */
class ForeignCheckDto extends PiDto {
  @OptionalField({ description: 'mode' })
  @IsIn(['a', 'b'])
  mode?: string;
}

type Ctor = new () => PiDto;

/**
 * buildDto as it was before the fast path: copy (an empty optional field counts as absent unless
 * '' is allowed), class-validator, first error.
 */
function reference(cls: Ctor, raw: Record<string, unknown>): { dto?: object; error?: string } {
  const dto = new cls() as unknown as Record<string, unknown>;
  const rules = fieldRulesOf(cls);
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === undefined || !isSafeKey(key)) continue;
    const rule = rules.get(key);
    if (value === '' && rule && !rule.required && (rule.list || !rule.allowEmpty)) continue;
    dto[key] = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  }
  const errors = validateSync(dto, {
    whitelist: true,
    stopAtFirstError: true,
    forbidUnknownValues: false,
  });
  if (errors.length === 0) return { dto };
  const first = errors[0];
  const message =
    Object.values(first.constraints ?? {})[0] ?? `Invalid parameter ${first.property}`;
  return message.startsWith('Missing parameter: ')
    ? { error: `MissingParameterError: Missing parameter: ${first.property}` }
    : { error: `ParameterError: ${message}` };
}

function actual(cls: Ctor, raw: Record<string, unknown>): { dto?: object; error?: string } {
  try {
    return { dto: buildDto(cls, raw) };
  } catch (e) {
    return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
}

function ownEntries(dto: object | undefined) {
  return dto && [Object.getPrototypeOf(dto), Object.entries(dto)];
}

const LONG = 'x'.repeat(300);
const SURROGATES = '😀'.repeat(40); // 80 UTF-16 units, 40 characters for MaxLength(64)

const INPUTS: Record<string, unknown>[] = [
  {},
  { user: 'alice', pass: '123456' },
  { user: 'alice', realm: 'r1', pass: '', type: 'hotp', unknown: 'x', n: 5 },
  { serial: 'S1', pass: 12345678, otponly: true },
  { serial: 'S1', otponly: 1, pass: false },
  { user: LONG, pass: '1' },
  { user: 'ali\u0001ce', pass: '1' },
  { user: 'alice', pass: ['1', '2'] },
  { user: { a: 1 }, pass: '1' },
  { user: 'alice', pass: null, realm: undefined },
  { transaction_id: SURROGATES, pass: '1' },
  { transaction_id: '', state: '', pass: '' },
  { user: 'alice', pass: '1', hasOwnProperty: 'x' },
  { user: 'alice', pass: '1', toString: 'x', valueOf: 'y' },
  { user: 'alice', pass: '1', params: 'x', extra: 'abcd' },
  { extra: 'abcde', user: 'a' },
  { extra: 'a\u0000', user: 'a' },
  { realms: 'r1,r2', pass: 'p' },
  { realms: ['r1', 'r2'], tokenrealm: ['a', 5], pass: 'p' },
  { realms: Array.from({ length: 101 }, () => 'r'), pass: 'p' },
  { tokenrealm: 'x', pass: 'p' },
  { realms: 'r', pass: '123456789' },
  { realms: 'r', pass: '' },
  { mode: 'a' },
  { mode: 'c' },
  { mode: 5 },
  { serial: '', type: 'hotp', description: '' },
  { prefix: '', realm: '', user: '', pin: '', validity_period_start: '', otpkey: '' },
  { tokenrealm: '', realms: '', pass: '' },
  { serial: 'S'.repeat(41) },
];

describe('buildDto: skipping class-validator changes nothing', () => {
  const classes: Ctor[] = [
    CheckDto,
    TriggerChallengeDto,
    PollTransactionDto,
    TokenSelectorDto,
    SerialDto,
    InitTokenDto,
    ListDto,
    ExtendedDto,
    ForeignCheckDto,
  ];

  it('applies to DTOs checked by param-fields only', () => {
    for (const cls of classes.slice(0, -1))
      expect([cls.name, hasCompleteFieldRules(cls)]).toEqual([cls.name, true]);
    expect(hasCompleteFieldRules(ForeignCheckDto)).toBe(false);
  });

  it.each(classes.map((c) => [c.name, c] as const))(
    '%s: same fields, same order, same first error',
    (_name, cls) => {
      for (const raw of INPUTS) {
        for (const map of [raw, Object.assign(Object.create(null) as object, raw)]) {
          const want = reference(cls, map);
          const got = actual(cls, map);
          expect([raw, got.error]).toEqual([raw, want.error]);
          expect([raw, ownEntries(got.dto)]).toEqual([raw, ownEntries(want.dto)]);
        }
      }
    },
  );
});

describe('buildDto: empty optional fields', () => {
  it("counts '' as absent, for the DTO and its parameter reader, unless '' is allowed", () => {
    const raw = Object.assign(Object.create(null) as Record<string, unknown>, {
      type: 'hotp',
      prefix: '',
      realm: '',
      count_window: '',
      tokenrealm: '',
      pin: '',
      description: '',
      validity_period_start: '',
    });
    const dto = buildDto(InitTokenDto, raw);
    expect(dto.prefix).toBeUndefined();
    expect(dto.realm).toBeUndefined();
    expect(dto.tokenrealm).toBeUndefined();
    expect(dto.params.has('count_window')).toBe(false);
    expect(dto.params.has('prefix')).toBe(false);
    expect([dto.pin, dto.description, dto.validity_period_start]).toEqual(['', '', '']);
    expect(dto.params.has('pin')).toBe(true);
    // The request's own map is left alone (other DTOs of the same request read it too).
    expect(raw.prefix).toBe('');
  });

  it('keeps an empty pass (out-of-band finalize) and refuses an empty required field', () => {
    const check = buildDto(CheckDto, { serial: '', user: 'alice', pass: '' });
    expect(check.pass).toBe('');
    expect(check.serial).toBeUndefined();
    expect(() => buildDto(SerialDto, { serial: '' })).toThrow('Missing parameter: serial');
  });
});
