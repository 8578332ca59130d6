import { Module } from '@nestjs/common';
import { TokenDataModule } from '../token-data/token-data.module';
import { TokenImportController } from './token-import.controller';
import { TokenImportService } from './token-import.service';

@Module({
  imports: [TokenDataModule],
  controllers: [TokenImportController],
  providers: [TokenImportService],
})
export class TokenImportModule {}
