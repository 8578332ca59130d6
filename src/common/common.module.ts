import { Global, Module } from '@nestjs/common';
import { Responder } from './responder';

@Global()
@Module({ providers: [Responder], exports: [Responder] })
export class CommonModule {}
