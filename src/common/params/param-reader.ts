import { MissingParameterError, ParameterError } from '../errors';

/** Characters U+0000–U+001F are refused in identifiers (README "Type and content checks"). */
const CONTROL_CHARS = /[\u0000-\u001f]/;

/** privacyIDEA's is_true: only 1, "1", true and the three spellings of "true". */
export function isTrue(value: unknown): boolean {
  return (
    value === 1 ||
    value === true ||
    value === '1' ||
    value === 'True' ||
    value === 'true' ||
    value === 'TRUE'
  );
}

/** A scalar request value as a string; objects and arrays are refused. */
export function scalarString(key: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ParameterError(`Invalid parameter ${key}: a single value is expected`);
}

export interface StringOptions {
  maxLength?: number;
  /** Refuse C0 control characters (identifiers). */
  identifier?: boolean;
  /** Treat '' as present (e.g. `pass`, `description`). */
  allowEmpty?: boolean;
}

/** Typed access to the merged parameter map of one request; only its own keys count. */
export class ParamReader {
  constructor(readonly raw: Record<string, unknown>) {}

  /** An own key's value: nothing inherited (`constructor`, a polluted prototype) is a parameter. */
  get(key: string): unknown {
    return Object.hasOwn(this.raw, key) ? this.raw[key] : undefined;
  }

  has(key: string): boolean {
    const v = this.get(key);
    return v !== undefined && v !== null;
  }

  optional(key: string, opts: StringOptions = {}): string | undefined {
    const value = scalarString(key, this.get(key));
    if (value === undefined) return undefined;
    if (value === '' && !opts.allowEmpty) return undefined;
    if (opts.maxLength !== undefined && value.length > opts.maxLength) {
      throw new ParameterError(
        `Invalid parameter ${key}: longer than ${opts.maxLength} characters`,
      );
    }
    if (opts.identifier && CONTROL_CHARS.test(value)) {
      throw new ParameterError(`Invalid parameter ${key}: control characters are not allowed`);
    }
    return value;
  }

  required(key: string, opts: StringOptions = {}): string {
    const value = this.optional(key, opts);
    if (value === undefined) throw new MissingParameterError(key);
    return value;
  }

  bool(key: string): boolean {
    return isTrue(this.get(key));
  }

  int(key: string, opts: { min?: number; max?: number } = {}): number | undefined {
    const value = this.optional(key);
    if (value === undefined) return undefined;
    if (!/^-?\d{1,15}$/.test(value.trim())) {
      throw new ParameterError(`Invalid parameter ${key}: an integer is expected`);
    }
    const n = Number(value.trim());
    if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
      const range =
        opts.max === undefined
          ? `of at least ${opts.min}`
          : opts.min === undefined
            ? `of at most ${opts.max}`
            : `from ${opts.min} to ${opts.max}`;
      throw new ParameterError(`Invalid parameter ${key}: an integer ${range} is expected`);
    }
    return n;
  }

  /** A list given as JSON array or comma-separated string (realms, serials). */
  list(key: string): string[] | undefined {
    const v = this.get(key);
    if (v === undefined || v === null) return undefined;
    const items = Array.isArray(v)
      ? v.map((x) => scalarString(key, x) ?? '')
      : (scalarString(key, v) ?? '').split(',');
    return items.map((s) => s.trim()).filter((s) => s.length > 0);
  }
}
