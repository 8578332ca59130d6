import { Controller, Get, HttpCode, Inject, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ManagementAuthGuard, CurrentPrincipal, Roles } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { baseUrlOf } from '../common/base-url';
import { ApiParams } from '../common/params/api-params.decorator';
import { PiParams } from '../common/params/pi-params.decorator';
import { Responder } from '../common/responder';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { CheckDto } from './dto/check.dto';
import { PollTransactionDto } from './dto/poll.dto';
import { TriggerChallengeDto } from './dto/trigger.dto';
import { AUTH_EXAMPLES } from './validate.examples';
import { ValidateService } from './validate.service';

type OriginRequest = Parameters<typeof baseUrlOf>[0];
type SocketRequest = OriginRequest & { raw?: { socket?: import('node:net').Socket } };

@ApiTags('validate')
@Controller('validate')
export class ValidateController {
  constructor(
    private readonly validate: ValidateService,
    private readonly respond: Responder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('check')
  @ApiOperation({
    summary: 'Authenticate a user or token (PIN+OTP, challenge trigger or response)',
  })
  @ApiParams(CheckDto, 'query')
  @ApiOkResponse({
    description: 'Processed authentication (value true/false)',
    content: AUTH_EXAMPLES.check,
  })
  checkGet(@PiParams(CheckDto) dto: CheckDto, @Req() req: OriginRequest) {
    return this.check(dto, req);
  }

  @Post('check')
  @HttpCode(200)
  @ApiOperation({ summary: 'Authenticate a user or token (form or JSON body)' })
  @ApiParams(CheckDto, 'body')
  @ApiOkResponse({
    description: 'Processed authentication (value true/false)',
    content: AUTH_EXAMPLES.check,
  })
  checkPost(@PiParams(CheckDto) dto: CheckDto, @Req() req: OriginRequest) {
    return this.check(dto, req);
  }

  private async check(dto: CheckDto, req: OriginRequest) {
    const baseUrl = baseUrlOf(req, this.config);
    const socket = this.config.push.wait > 0 ? (req as SocketRequest).raw?.socket : undefined;
    if (!socket) {
      const { value, detail } = await this.validate.check(dto, baseUrl);
      return this.respond.auth(value, detail);
    }
    // push_wait: a relying party that hangs up ends the wait (nothing is counted for it).
    const hangUp = new AbortController();
    const abort = () => hangUp.abort();
    socket.once('close', abort);
    try {
      const { value, detail } = await this.validate.check(dto, baseUrl, hangUp.signal);
      return this.respond.auth(value, detail);
    } finally {
      socket.off('close', abort);
    }
  }

  @Get('triggerchallenge')
  @UseGuards(ManagementAuthGuard)
  @Roles('admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Trigger challenges for a user or token without PIN (admin)' })
  @ApiParams(TriggerChallengeDto, 'query')
  @ApiOkResponse({ description: 'Number of created challenges', content: AUTH_EXAMPLES.trigger })
  triggerGet(
    @PiParams(TriggerChallengeDto) dto: TriggerChallengeDto,
    @CurrentPrincipal() admin: Principal,
    @Req() req: OriginRequest,
  ) {
    return this.trigger(dto, admin, req);
  }

  @Post('triggerchallenge')
  @HttpCode(200)
  @UseGuards(ManagementAuthGuard)
  @Roles('admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Trigger challenges (form or JSON body, admin)' })
  @ApiParams(TriggerChallengeDto, 'body')
  @ApiOkResponse({ description: 'Number of created challenges', content: AUTH_EXAMPLES.trigger })
  triggerPost(
    @PiParams(TriggerChallengeDto) dto: TriggerChallengeDto,
    @CurrentPrincipal() admin: Principal,
    @Req() req: OriginRequest,
  ) {
    return this.trigger(dto, admin, req);
  }

  private async trigger(dto: TriggerChallengeDto, admin: Principal, req: OriginRequest) {
    const { value, detail } = await this.validate.triggerChallenge(
      dto,
      admin,
      baseUrlOf(req, this.config),
    );
    return this.respond.auth(value, detail);
  }

  @Get('polltransaction')
  @ApiOperation({
    summary: 'Has the challenge of this transaction been answered? (never consumes it)',
  })
  @ApiParams(PollTransactionDto, 'query')
  @ApiOkResponse({
    description: 'challenge_status accept / pending / declined',
    content: AUTH_EXAMPLES.poll,
  })
  async poll(@PiParams(PollTransactionDto) dto: PollTransactionDto) {
    const { value, detail } = await this.validate.pollTransaction(dto.transaction_id);
    return this.respond.auth(value, detail);
  }

  @Get('polltransaction/:transaction_id')
  @ApiOperation({ summary: 'Poll a transaction given in the path' })
  @ApiOkResponse({
    description: 'challenge_status accept / pending / declined',
    content: AUTH_EXAMPLES.poll,
  })
  pollPath(@PiParams(PollTransactionDto) dto: PollTransactionDto) {
    return this.poll(dto);
  }
}
