import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthError, ErrorCode } from '../common/errors';
import { isValidLogin, isValidRealm } from '../users/user-ref';
import { extractToken, JwtVerifier } from './jwt-verifier';
import type { Principal, Role } from './principal';

const ROLES = 'mfa:roles';

/** Restricts a management route to roles; without it admin and user may call it. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

interface AuthedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

/** Management authentication: a verified JWT, then the route's role requirement. */
@Injectable()
export class ManagementAuthGuard implements CanActivate {
  constructor(
    private readonly verifier: JwtVerifier,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const principal = await this.verifier.verify(extractToken(req.headers));
    // Owners are matched by (login, realm) in SQL; on MariaDB "rose " would match "rose".
    if (!isValidLogin(principal.username) || !isValidRealm(principal.realm)) {
      throw new AuthError(
        ErrorCode.AUTH_DECODING,
        'Authentication failure. Error decoding the Authorization token: invalid username or realm',
      );
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, [
      context.getHandler(),
      context.getClass(),
    ]) ?? ['admin', 'user'];
    if (!roles.includes(principal.role)) {
      throw new AuthError(
        ErrorCode.AUTH_MISSING_RIGHT,
        `Authentication failure. You do not have the necessary role (${roles.join(', ')}) to access this resource!`,
      );
    }
    req.principal = principal;
    return true;
  }
}

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal =>
    ctx.switchToHttp().getRequest<AuthedRequest>().principal!,
);
