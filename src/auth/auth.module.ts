import { Global, Module } from '@nestjs/common';
import { ManagementAuthGuard } from './auth.guard';
import { JwtVerifier } from './jwt-verifier';

@Global()
@Module({
  providers: [JwtVerifier, ManagementAuthGuard],
  exports: [JwtVerifier, ManagementAuthGuard],
})
export class AuthModule {}
