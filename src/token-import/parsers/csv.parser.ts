import {
  ImportFormatError,
  ImportRecordError,
  ImportResult,
  ImportedToken,
  tagRecord,
} from './imported-token';
import {
  DEFAULT_OCRA_SUITE,
  DEFAULT_TIME_STEP,
  RecordError,
  checkSerial,
  hashlibFromKeyLength,
  normaliseHexKey,
  parseCounter,
  parseOcraSuite,
  parseOtpLen,
  parseTimeStep,
} from './token-fields';

const VERSION_HEADER = /^#\s*version:\s*(\d+)\s*$/i;
/** Leading user columns of a "# version: 2" file: username, resolver, realm. */
const USER_COLUMNS = 3;

/**
 * Parses privacyIDEA's "OATH CSV" import format (lib/importotp.py `parseOATHcsv` together with
 * the token classes' `get_import_csv`):
 *
 *     serial, key, [hotp], [otplen], [counter]
 *     serial, key, totp, [otplen], [timeStep]
 *     serial, key, ocra, [ocrasuite]
 *     serial, key, tiqr, [ocrasuite]   (a phone's TiQR key, e.g. moved from another server)
 *
 * A first line `# version: 2` prefixes every row with `user, resolver, realm`.
 * Lines starting with `#` and blank lines are skipped; cells are trimmed; the type is
 * case-insensitive and defaults to hotp. Every bad row is reported with its line number.
 */
export function parseCsvTokens(text: string): ImportResult {
  if (text.includes('\u0000')) {
    throw new ImportFormatError('CSV import: the file contains binary data');
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const version = csvVersion(lines[0].trim());

  const tokens: ImportedToken[] = [];
  const errors: ImportRecordError[] = [];
  const seen = new Map<string, number>();
  let records = 0;

  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    records += 1;
    const record = index + 1;
    const cells = line.split(',').map((cell) => cell.trim());
    const serialCell = cells[version === 2 ? USER_COLUMNS : 0] ?? '';
    try {
      const token = version === 2 ? rowWithUser(cells) : rowToToken(cells);
      const first = seen.get(token.serial);
      if (first !== undefined) throw new RecordError(`duplicate serial (also in line ${first})`);
      seen.set(token.serial, record);
      tokens.push(tagRecord(token, record));
    } catch (e) {
      if (!(e instanceof RecordError)) throw e;
      errors.push({
        record,
        ...(serialCell !== '' && { serial: serialCell.slice(0, 64) }),
        reason: e.message,
      });
    }
  });

  if (records === 0) throw new ImportFormatError('CSV import: the file contains no token rows');
  return { tokens, errors };
}

function csvVersion(firstLine: string): 1 | 2 {
  const m = VERSION_HEADER.exec(firstLine);
  if (!m || m[1] === '1') return 1;
  if (m[1] === '2') return 2;
  throw new ImportFormatError(`CSV import: unsupported file version ${m[1]} (expected 1 or 2)`);
}

function rowWithUser(cells: string[]): ImportedToken {
  if (cells.length <= USER_COLUMNS) {
    throw new RecordError('a version 2 row needs user, resolver, realm, serial and key');
  }
  // The resolver column has no counterpart here: users are looked up by name and realm.
  const [user, , realm] = cells;
  const token = rowToToken(cells.slice(USER_COLUMNS));
  return { ...token, ...(user !== '' && { user }), ...(realm !== '' && { realm }) };
}

function rowToToken(cells: string[]): ImportedToken {
  const serial = checkSerial(cells[0]);
  const rawKey = cells[1] ?? '';
  if (rawKey === '') throw new RecordError('missing key');
  const type = (cells[2] ?? '').toLowerCase() || 'hotp';
  const otpkey = normaliseHexKey(rawKey);

  switch (type) {
    case 'hotp': {
      const token: ImportedToken = {
        serial,
        type,
        otpkey,
        otplen: parseOtpLen(cells[3]),
        hashlib: hashlibFromKeyLength(otpkey),
      };
      if (cells[4] !== undefined && cells[4] !== '') {
        token.counter = parseCounter(cells[4], 'counter');
      }
      return token;
    }
    case 'totp':
      return {
        serial,
        type,
        otpkey,
        otplen: parseOtpLen(cells[3]),
        timeStep:
          cells[4] !== undefined && cells[4] !== '' ? parseTimeStep(cells[4]) : DEFAULT_TIME_STEP,
        hashlib: hashlibFromKeyLength(otpkey),
      };
    case 'ocra': {
      // The fourth column is the suite, not an otplen; the length follows from the suite.
      const ocrasuite = cells[3] || DEFAULT_OCRA_SUITE;
      const suite = parseOcraSuite(ocrasuite);
      return { serial, type, otpkey, otplen: suite.otplen, hashlib: suite.hashlib, ocrasuite };
    }
    case 'tiqr': {
      // No suite: the service's TIQR_OCRA_SUITE, as for a new TiQR token.
      if (!cells[3]) return { serial, type, otpkey };
      const suite = parseOcraSuite(cells[3]);
      return {
        serial,
        type,
        otpkey,
        otplen: suite.otplen,
        hashlib: suite.hashlib,
        ocrasuite: cells[3],
      };
    }
    default:
      throw new RecordError(`unsupported token type "${type}" (expected hotp, totp, ocra or tiqr)`);
  }
}
