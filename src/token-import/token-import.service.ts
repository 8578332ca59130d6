import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { isoSeconds } from '../common/dates';
import { ImportError, PiError } from '../common/errors';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { otpKeyLengthProblem } from '../crypto/otp-key';
import { TransactionRunner } from '../database/transaction-runner';
import { PinHasher } from '../security/pin-hasher';
import { TokenInfo } from '../token-data/entities/token-info.entity';
import { TokenRealm } from '../token-data/entities/token-realm.entity';
import { Token } from '../token-data/entities/token.entity';
import { newTokenColumns } from '../token-data/token-defaults';
import { TokenSecrets } from '../token-data/token-secrets';
import { tokenOcraSuite } from '../token-types/ocra/ocra.token-type';
import { isKnownRealm, isValidLogin, isValidRealm, knownRealm } from '../users/user-ref';
import { parseCsvTokens } from './parsers/csv.parser';
import {
  ImportedToken,
  ImportFormatError,
  ImportRecordError,
  ImportResult,
  recordOf,
} from './parsers/imported-token';
import { parsePskcTokens } from './parsers/pskc.parser';

export type ImportFileType = 'oathcsv' | 'pskc';

export interface ImportRequest {
  fileType: ImportFileType;
  content: string;
  preSharedKey?: string;
  password?: string;
  tokenRealms: string[];
  /** Import the good records even when others fail (default: all or nothing). */
  partial: boolean;
}

export interface ImportOutcome {
  imported: string[];
  errors: ImportRecordError[];
}

/**
 * /token/load: parses a CSV or PSKC file, checks every record against the engine's own rules and
 * the existing serials, then writes all tokens in one transaction — or nothing, unless the
 * caller asked for a partial import.
 */
@Injectable()
export class TokenImportService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(Token) private readonly tokens: Repository<Token>,
    private readonly secrets: TokenSecrets,
    private readonly pins: PinHasher,
    private readonly tx: TransactionRunner,
  ) {}

  async import(req: ImportRequest): Promise<ImportOutcome> {
    for (const r of req.tokenRealms) knownRealm(r, this.config.users, 'tokenrealms');
    const parsed = await this.parse(req);
    const errors = [...parsed.errors];
    const accepted: ImportedToken[] = [];
    const existing = new Set(
      (
        await this.tokens.find({
          select: { serial: true },
          where: { serial: In(parsed.tokens.map((t) => t.serial)) },
        })
      ).map((t) => t.serial),
    );
    const owned = new Map<string, number>();
    for (const token of parsed.tokens) {
      const problem = existing.has(token.serial)
        ? 'a token with this serial already exists'
        : (this.problemOf(token) ?? (await this.overOwnerCap(token, owned)));
      if (problem) errors.push({ record: recordOf(token), serial: token.serial, reason: problem });
      else accepted.push(token);
    }
    errors.sort((a, b) => a.record - b.record);
    if (errors.length > 0 && !req.partial) {
      throw new ImportError(
        `Import failed: ${errors.length} of ${parsed.tokens.length + parsed.errors.length} records are invalid; nothing was imported`,
        { errors: errors.slice(0, 100) },
      );
    }
    const rows = await Promise.all(accepted.map((t) => this.toRow(t)));
    const now = isoSeconds(new Date());
    await this.tx.run(async (em) => {
      for (const { token, row } of rows) {
        const saved = await em.save(Token, row);
        const info: Record<string, string> = {
          tokenkind: 'hardware',
          creation_date: now,
          import_file_type: req.fileType,
        };
        if (token.type === 'ocra') info.ocrasuite = token.ocrasuite!;
        else if (token.type === 'tiqr') {
          info.ocrasuite = token.ocrasuite ?? this.config.tiqr.ocraSuite;
          info.tokenkind = 'software';
        } else info.hashlib = token.hashlib ?? 'sha1';
        if (token.type === 'totp') {
          info.timeStep = String(token.timeStep ?? 30);
          info.timeWindow = String(this.config.tokens.totpTimeWindow);
          info.timeShift = '0';
        }
        for (const [key, value] of Object.entries(info)) {
          await em.insert(TokenInfo, { tokenId: saved.id, key, value, type: '' });
        }
        const realms = new Set(req.tokenRealms.map((r) => r.toLowerCase()));
        if (row.userRealm) realms.add(row.userRealm);
        for (const realm of realms) await em.insert(TokenRealm, { tokenId: saved.id, realm });
      }
    });
    return { imported: accepted.map((t) => t.serial), errors };
  }

  private async parse(req: ImportRequest): Promise<ImportResult> {
    try {
      if (req.fileType === 'oathcsv') return parseCsvTokens(req.content);
      return await parsePskcTokens(req.content, {
        preSharedKey: req.preSharedKey,
        password: req.password,
        maxPbkdf2Iterations: this.config.limits.pskcMaxPbkdf2Iterations,
      });
    } catch (e) {
      if (e instanceof ImportFormatError) throw new ImportError(`Import failed: ${e.message}`);
      throw e;
    }
  }

  /** Rules the parsers do not know: what this engine can actually use. */
  private problemOf(t: ImportedToken): string | undefined {
    const keyBytes = Buffer.from(t.otpkey, 'hex').length;
    const shortKey = otpKeyLengthProblem(keyBytes, this.config.limits.minOtpKeyBytes);
    if (shortKey) return shortKey;
    if (t.type === 'ocra' || t.type === 'tiqr') {
      try {
        const suite = tokenOcraSuite(t.ocrasuite ?? this.config.tiqr.ocraSuite);
        // The app's login carries only the question (tiqr.md §5.2).
        if (t.type === 'tiqr' && suite.timeStep !== undefined) {
          return 'a TiQR suite has no time (T) input';
        }
      } catch (e) {
        return e instanceof PiError ? e.description : 'invalid OCRA suite';
      }
      // The app's identity is the owner (<login>_<realm>): a TiQR token without one is unusable.
      if (t.type === 'tiqr' && t.user === undefined) return 'a TiQR token needs a user';
    } else if (t.otplen !== undefined && t.otplen !== 6 && t.otplen !== 8) {
      return 'otplen must be 6 or 8';
    }
    if (t.type === 'totp' && t.timeStep !== undefined && t.timeStep !== 30 && t.timeStep !== 60) {
      return 'timeStep must be 30 or 60';
    }
    if (t.user !== undefined && !isValidLogin(t.user)) return 'invalid user';
    if (t.realm !== undefined && !isValidRealm(t.realm)) return 'invalid realm';
    if (t.realm !== undefined && !isKnownRealm(t.realm.toLowerCase(), this.config.users)) {
      return 'unknown realm (see REALMS)';
    }
    return undefined;
  }

  /**
   * MAX_TOKENS_PER_USER holds for imports too: a record that would give its user one token too
   * many is refused. `owned` counts per user, the existing tokens plus the accepted records.
   */
  private async overOwnerCap(
    t: ImportedToken,
    owned: Map<string, number>,
  ): Promise<string | undefined> {
    const owner = this.ownerOf(t);
    if (!owner) return undefined;
    const key = `${owner.login}\u0000${owner.realm}`;
    let count = owned.get(key);
    if (count === undefined) {
      count = await this.tokens.count({
        where: { userLogin: owner.login, userRealm: owner.realm },
      });
    }
    const max = this.config.limits.maxTokensPerUser;
    if (count >= max) return `the user would have more than ${max} tokens (MAX_TOKENS_PER_USER)`;
    owned.set(key, count + 1);
    return undefined;
  }

  private ownerOf(t: ImportedToken): { login: string; realm: string } | undefined {
    return t.user !== undefined
      ? { login: t.user, realm: (t.realm ?? this.config.users.defaultRealm).toLowerCase() }
      : undefined;
  }

  private async toRow(t: ImportedToken): Promise<{ token: ImportedToken; row: Token }> {
    const d = this.config.tokens;
    const owner = this.ownerOf(t);
    const otplen =
      t.type === 'ocra' || t.type === 'tiqr'
        ? tokenOcraSuite(t.ocrasuite ?? this.config.tiqr.ocraSuite).digits
        : (t.otplen ?? 6);
    const row = this.tokens.create({
      ...newTokenColumns(t.type, d),
      serial: t.serial,
      description: (t.description ?? '').slice(0, 80),
      keyEnc: this.secrets.sealKey(t.serial, Buffer.from(t.otpkey, 'hex')),
      otplen,
      count: t.type === 'hotp' ? (t.counter ?? 0) : 0,
      rolloutState: 'enrolled',
      pinHash: t.pin ? await this.pins.hash(t.pin) : '',
      userLogin: owner?.login ?? null,
      userRealm: owner?.realm ?? null,
    });
    return { token: t, row };
  }
}
