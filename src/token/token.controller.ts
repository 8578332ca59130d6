import { Controller, Delete, Get, HttpCode, Inject, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, ManagementAuthGuard, Roles } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { baseUrlOf } from '../common/base-url';
import { ApiParams } from '../common/params/api-params.decorator';
import { PiParams } from '../common/params/pi-params.decorator';
import { Responder } from '../common/responder';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import {
  AssignDto,
  DescriptionDto,
  InitTokenDto,
  ListTokensDto,
  ResyncDto,
  SerialDto,
  SetPinDto,
  SetTokenDto,
  TokenInfoDto,
  TokenRealmsDto,
  TokenSelectorDto,
} from './dto/token-params.dto';
import { TokenAdminService } from './token-admin.service';
import { TokenEnrollmentService } from './token-enrollment.service';
import { TokenQueryService } from './token-query.service';
import { TOKEN_EXAMPLES } from './token.examples';

type OriginRequest = Parameters<typeof baseUrlOf>[0];

/** /token/...: token lifecycle for admins and (own tokens only) users. */
@ApiTags('token')
@ApiBearerAuth()
@UseGuards(ManagementAuthGuard)
@Controller('token')
export class TokenController {
  constructor(
    private readonly enrollment: TokenEnrollmentService,
    private readonly admin: TokenAdminService,
    private readonly query: TokenQueryService,
    private readonly respond: Responder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('init')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enroll a token (or re-initialise one of the same type)' })
  @ApiParams(InitTokenDto, 'body')
  @ApiOkResponse({
    description:
      'Init details: serial, otpkey, otpauth URL and QR codes. The `img` fields are PNG ' +
      '`data:` URIs; in this explorer they are drawn as pictures under the response (scan ' +
      '`googleurl.img` with an authenticator app). They come only in this answer: the key ' +
      'cannot be fetched again later, so scan or store it now.',
    content: TOKEN_EXAMPLES.init,
  })
  async init(
    @PiParams(InitTokenDto) dto: InitTokenDto,
    @CurrentPrincipal() p: Principal,
    @Req() req: OriginRequest,
  ) {
    const detail = await this.enrollment.init(dto, p, baseUrlOf(req, this.config));
    return this.respond.ok(true, detail);
  }

  @Get()
  @ApiOperation({ summary: 'List tokens (filters, sorting, pagination)' })
  @ApiParams(ListTokensDto, 'query')
  @ApiOkResponse({
    description: 'tokens, count, prev, next, current',
    content: TOKEN_EXAMPLES.list,
  })
  async list(@PiParams(ListTokensDto) dto: ListTokensDto, @CurrentPrincipal() p: Principal) {
    return this.respond.ok(await this.query.list(p, dto));
  }

  @Post('assign')
  @HttpCode(200)
  @ApiOperation({ summary: 'Assign a token to a user' })
  @ApiParams(AssignDto, 'body')
  @ApiOkResponse({ description: 'true', content: TOKEN_EXAMPLES.bool })
  async assign(@PiParams(AssignDto) dto: AssignDto, @CurrentPrincipal() p: Principal) {
    return this.respond.ok(await this.admin.assign(p, dto.serial, dto.user, dto.realm, dto.pin));
  }

  @Post(['unassign', 'unassign/:serial'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove the owner (PIN cleared, fail counter reset)' })
  @ApiParams(TokenSelectorDto, 'body')
  @ApiOkResponse({ description: 'number of tokens', content: TOKEN_EXAMPLES.count })
  async unassign(
    @PiParams(TokenSelectorDto) dto: TokenSelectorDto,
    @CurrentPrincipal() p: Principal,
  ) {
    return this.respond.ok(await this.admin.unassign(p, dto));
  }

  @Post(['enable', 'enable/:serial'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Enable tokens by serial or user' })
  @ApiParams(TokenSelectorDto, 'body')
  @ApiOkResponse({
    description: 'number of tokens whose state changed',
    content: TOKEN_EXAMPLES.count,
  })
  async enable(
    @PiParams(TokenSelectorDto) dto: TokenSelectorDto,
    @CurrentPrincipal() p: Principal,
  ) {
    return this.respond.ok(await this.admin.setActive(p, dto, true));
  }

  @Post(['disable', 'disable/:serial'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Disable tokens by serial or user' })
  @ApiParams(TokenSelectorDto, 'body')
  @ApiOkResponse({
    description: 'number of tokens whose state changed',
    content: TOKEN_EXAMPLES.count,
  })
  async disable(
    @PiParams(TokenSelectorDto) dto: TokenSelectorDto,
    @CurrentPrincipal() p: Principal,
  ) {
    return this.respond.ok(await this.admin.setActive(p, dto, false));
  }

  @Post(['revoke', 'revoke/:serial'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke tokens (irreversible: revoked, locked, disabled)' })
  @ApiParams(TokenSelectorDto, 'body')
  @ApiOkResponse({ description: 'number of tokens revoked', content: TOKEN_EXAMPLES.count })
  async revoke(
    @PiParams(TokenSelectorDto) dto: TokenSelectorDto,
    @CurrentPrincipal() p: Principal,
  ) {
    return this.respond.ok(await this.admin.revoke(p, dto));
  }

  @Post(['reset', 'reset/:serial'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Reset the fail counter' })
  @ApiParams(TokenSelectorDto, 'body')
  @ApiOkResponse({ description: 'number of tokens', content: TOKEN_EXAMPLES.count })
  async reset(@PiParams(TokenSelectorDto) dto: TokenSelectorDto, @CurrentPrincipal() p: Principal) {
    return this.respond.ok(await this.admin.reset(p, dto));
  }

  @Post(['resync', 'resync/:serial'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Resynchronise with two consecutive OTPs' })
  @ApiParams(ResyncDto, 'body')
  @ApiOkResponse({ description: 'true / false', content: TOKEN_EXAMPLES.bool })
  async resync(@PiParams(ResyncDto) dto: ResyncDto, @CurrentPrincipal() p: Principal) {
    return this.respond.ok(await this.admin.resync(p, dto.serial, dto.otp1, dto.otp2));
  }

  @Post(['setpin', 'setpin/:serial'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Set the token PIN (otppin) and/or legacy user/SO PINs' })
  @ApiParams(SetPinDto, 'body')
  @ApiOkResponse({ description: 'number of PINs set', content: TOKEN_EXAMPLES.count })
  async setPin(@PiParams(SetPinDto) dto: SetPinDto, @CurrentPrincipal() p: Principal) {
    return this.respond.ok(await this.admin.setPin(p, dto.serial, dto.params));
  }

  @Post(['description', 'description/:serial'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Set the description' })
  @ApiParams(DescriptionDto, 'body')
  @ApiOkResponse({ description: 'number of tokens', content: TOKEN_EXAMPLES.count })
  async description(
    @PiParams(DescriptionDto) dto: DescriptionDto,
    @CurrentPrincipal() p: Principal,
  ) {
    return this.respond.ok(await this.admin.setDescription(p, dto.serial, dto.description));
  }

  @Post(['set', 'set/:serial'])
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Set token attributes (admin)' })
  @ApiParams(SetTokenDto, 'body')
  @ApiOkResponse({ description: 'number of attributes set', content: TOKEN_EXAMPLES.count })
  async set(@PiParams(SetTokenDto) dto: SetTokenDto, @CurrentPrincipal() p: Principal) {
    return this.respond.ok(await this.admin.set(p, dto.serial, dto.params));
  }

  @Post('realm/:serial')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: "Replace the token's realms (admin; the owner's realm stays)" })
  @ApiParams(TokenRealmsDto, 'body')
  @ApiOkResponse({ description: 'true', content: TOKEN_EXAMPLES.bool })
  async realms(@PiParams(TokenRealmsDto) dto: TokenRealmsDto, @CurrentPrincipal() p: Principal) {
    return this.respond.ok(await this.admin.setRealms(p, dto.serial, dto.params));
  }

  @Post('info/:serial/:key')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Set a tokeninfo value (admin)' })
  @ApiParams(TokenInfoDto, 'body')
  @ApiOkResponse({ description: 'true', content: TOKEN_EXAMPLES.bool })
  async setInfo(@PiParams(TokenInfoDto) dto: TokenInfoDto, @CurrentPrincipal() p: Principal) {
    const value = dto.params.required('value', { allowEmpty: true });
    return this.respond.ok(await this.admin.setInfo(p, dto.serial, dto.key, value));
  }

  @Delete('info/:serial/:key')
  @Roles('admin')
  @ApiOperation({ summary: 'Delete a tokeninfo value (admin)' })
  @ApiOkResponse({ description: 'true if a value was deleted', content: TOKEN_EXAMPLES.bool })
  async deleteInfo(@PiParams(TokenInfoDto) dto: TokenInfoDto, @CurrentPrincipal() p: Principal) {
    return this.respond.ok(await this.admin.deleteInfo(p, dto.serial, dto.key));
  }

  @Delete()
  @ApiOperation({ summary: 'Delete the token given by ?serial=' })
  @ApiParams(SerialDto, 'query')
  @ApiOkResponse({ description: 'number of tokens deleted', content: TOKEN_EXAMPLES.count })
  async deleteByQuery(@PiParams(SerialDto) dto: SerialDto, @CurrentPrincipal() p: Principal) {
    return this.respond.ok(await this.admin.delete(p, dto.serial));
  }

  @Delete(':serial')
  @ApiOperation({ summary: 'Delete a token with its tokeninfo, realms and challenges' })
  @ApiOkResponse({ description: 'number of tokens deleted', content: TOKEN_EXAMPLES.count })
  async delete(@PiParams(SerialDto) dto: SerialDto, @CurrentPrincipal() p: Principal) {
    return this.respond.ok(await this.admin.delete(p, dto.serial));
  }
}
