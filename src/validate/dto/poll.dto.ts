import { RequiredField } from '../../common/params/param-fields';
import { PiDto } from '../../common/params/pi-params.decorator';

/** Parameters of /validate/polltransaction (api-validate.md §3). */
export class PollTransactionDto extends PiDto {
  @RequiredField({
    description: 'Transaction id of the challenge',
    example: '08282050332563531714',
  })
  transaction_id!: string;
}
