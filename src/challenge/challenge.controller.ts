import { Controller, Delete, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, ManagementAuthGuard, Roles } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { RequiredField } from '../common/params/param-fields';
import { ApiParams } from '../common/params/api-params.decorator';
import { PiDto, PiParams } from '../common/params/pi-params.decorator';
import { Responder } from '../common/responder';
import { ChallengeListDto } from '../token/dto/token-params.dto';
import { TokenAccess } from '../token/token-access';
import { ChallengeJanitor } from './challenge-janitor';
import { ChallengeService } from './challenge.service';
import type { Challenge } from './entities/challenge.entity';

class TransactionDto extends PiDto {
  @RequiredField({ description: 'Transaction to cancel', maxLength: 64, identifier: true })
  transaction_id!: string;
}

function parseData(data: string): unknown {
  if (!data) return '';
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

/** A challenge as GET /token/challenges/ shows it (challenge.md §1). */
export function serializeChallenge(c: Challenge) {
  return {
    id: c.id,
    transaction_id: c.transactionId,
    challenge: c.challenge,
    serial: c.serial,
    data: parseData(c.data),
    otp_received: c.receivedCount > 0,
    received_count: c.receivedCount,
    otp_valid: c.otpValid,
    expiration: c.expiration.toISOString(),
    timestamp: c.timestamp.toISOString(),
  };
}

/** /token/challenges/...: listing, cancelling and cleaning up challenges. */
@ApiTags('challenges')
@ApiBearerAuth()
@UseGuards(ManagementAuthGuard)
@Controller('token/challenges')
export class ChallengeController {
  constructor(
    private readonly challenges: ChallengeService,
    private readonly janitor: ChallengeJanitor,
    private readonly access: TokenAccess,
    private readonly respond: Responder,
  ) {}

  @Get(['', ':serial'])
  @Roles('admin')
  @ApiOperation({ summary: 'List challenges, optionally of one token or one transaction (admin)' })
  @ApiParams(ChallengeListDto, 'query')
  @ApiOkResponse({ description: '{challenges, count, prev, next, current}' })
  async list(@PiParams(ChallengeListDto) dto: ChallengeListDto) {
    const page = dto.params.int('page', { min: 1 }) ?? 1;
    const pageSize = Math.min(dto.params.int('pagesize', { min: 1 }) ?? 15, 1000);
    const { rows, count } = await this.challenges.list({
      serial: dto.serial,
      transactionId: dto.transaction_id,
      page,
      pageSize,
      sortBy: dto.sortby ?? 'timestamp',
      sortDir: dto.sortdir?.toLowerCase() === 'desc' ? 'DESC' : 'ASC',
    });
    return this.respond.ok({
      challenges: rows.map(serializeChallenge),
      count,
      prev: page > 1 ? page - 1 : null,
      next: page * pageSize < count ? page + 1 : null,
      current: page,
    });
  }

  @Delete('expired')
  @Roles('admin')
  @ApiOperation({ summary: 'Delete expired challenges now (admin)' })
  @ApiOkResponse({ description: '{status: true, deleted: n}' })
  async deleteExpired() {
    const deleted = await this.challenges.deleteExpired();
    return this.respond.ok({ status: true, deleted });
  }

  @Delete('transaction/:transaction_id')
  @ApiOperation({
    summary: 'Cancel a pending transaction (users: only challenges of their own tokens)',
  })
  @ApiOkResponse({ description: 'number of deleted challenges' })
  async cancel(@PiParams(TransactionDto) dto: TransactionDto, @CurrentPrincipal() p: Principal) {
    let serials: string[] | undefined;
    if (p.role === 'user') {
      const mine = await this.access.select(p, {});
      serials = mine.map((t) => t.serial);
    }
    return this.respond.ok(await this.challenges.deleteTransaction(dto.transaction_id, serials));
  }
}
