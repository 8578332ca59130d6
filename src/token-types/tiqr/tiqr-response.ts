import { OcraInputError, verifyOcra } from '../../crypto/ocra/ocra';
import type { OcraSuite } from '../../crypto/ocra/ocra-suite';

/**
 * Checks a TiQR app's OCRA response to `question`. For QN suites the RFC reading (decimal question
 * converted to hex) and the current Android core's reading (question text taken as hex) are both
 * accepted (tiqr.md §5.1): twice the guessing chance of one reading, documented in README "TiQR".
 * OCRA tokens (type ocra) never get the second reading.
 */
export function tiqrResponseMatches(
  suite: OcraSuite,
  key: Buffer,
  response: string,
  question: string,
): boolean {
  if (!/^\d+$/.test(response)) return false;
  try {
    if (verifyOcra(suite, key, response, { question }).ok) return true;
    return (
      suite.questionType === 'N' &&
      verifyOcra(suite, key, response, { question, questionAsHex: true }).ok
    );
  } catch (e) {
    // A stored question the suite cannot use is a wrong answer, not a server error.
    if (e instanceof OcraInputError) return false;
    throw e;
  }
}
