export { parseCsvTokens } from './csv.parser';
export { parsePskcTokens } from './pskc.parser';
export type { PskcParseOptions } from './pskc.parser';
export { ImportFormatError } from './imported-token';
export type {
  ImportRecordError,
  ImportResult,
  ImportedHashlib,
  ImportedToken,
  ImportedTokenType,
} from './imported-token';
