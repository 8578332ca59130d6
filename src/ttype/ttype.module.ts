import { Module } from '@nestjs/common';
import { TokenTypesModule } from '../token-types/token-types.module';
import { TtypeController } from './ttype.controller';

@Module({ imports: [TokenTypesModule], controllers: [TtypeController] })
export class TtypeModule {}
