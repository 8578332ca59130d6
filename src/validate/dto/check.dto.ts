import { OptionalField } from '../../common/params/param-fields';
import { PiDto } from '../../common/params/pi-params.decorator';
import { MAX_CHALLENGE_TEXT } from '../../crypto/ocra/ocra-challenge';

/** Parameters of /validate/check (api-validate.md §1.1). */
export class CheckDto extends PiDto {
  @OptionalField({
    description: 'Login, login@realm or realm\\login',
    maxLength: 256,
    identifier: true,
    example: 'alice',
  })
  user?: string;

  @OptionalField({
    description: 'Realm of the user (default realm when omitted)',
    maxLength: 256,
    identifier: true,
  })
  realm?: string;

  @OptionalField({
    description: 'Authenticate with this token only',
    maxLength: 40,
    identifier: true,
  })
  serial?: string;

  @OptionalField({
    description:
      'PIN followed by OTP; the PIN alone to trigger challenges; the response with transaction_id; empty to finalize an out-of-band challenge',
    maxLength: 1024,
    allowEmpty: true,
    example: '1234287082',
  })
  pass?: string;

  @OptionalField({
    description: 'Answer to this challenge transaction',
    maxLength: 64,
    identifier: true,
  })
  transaction_id?: string;

  @OptionalField({ description: 'Legacy alias of transaction_id', maxLength: 64, identifier: true })
  state?: string;

  @OptionalField({
    description: "Restrict the user's tokens to this type",
    maxLength: 30,
    identifier: true,
  })
  type?: string;

  @OptionalField({
    description: '1: with serial, verify only the OTP (no PIN, no challenge)',
    maxLength: 8,
  })
  otponly?: string;

  @OptionalField({
    description: `OCRA: text of the question (at most ${MAX_CHALLENGE_TEXT} characters)`,
    maxLength: MAX_CHALLENGE_TEXT,
  })
  challenge?: string;
}
