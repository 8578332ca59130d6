import { OptionalField } from '../../common/params/param-fields';
import { PiDto } from '../../common/params/pi-params.decorator';
import { MAX_CHALLENGE_TEXT } from '../../crypto/ocra/ocra-challenge';

/** Parameters of /validate/triggerchallenge (api-validate.md §2). */
export class TriggerChallengeDto extends PiDto {
  @OptionalField({
    description: 'Login, login@realm or realm\\login',
    maxLength: 256,
    identifier: true,
  })
  user?: string;

  @OptionalField({ description: 'Realm of the user', maxLength: 256, identifier: true })
  realm?: string;

  @OptionalField({ description: 'Trigger this token only', maxLength: 40, identifier: true })
  serial?: string;

  @OptionalField({ description: 'Only tokens of this type', maxLength: 30, identifier: true })
  type?: string;

  @OptionalField({
    description: `OCRA: text of the question (at most ${MAX_CHALLENGE_TEXT} characters)`,
    maxLength: MAX_CHALLENGE_TEXT,
  })
  challenge?: string;
}
