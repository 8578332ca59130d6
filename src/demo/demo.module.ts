import { Module } from '@nestjs/common';
import { DemoController } from './demo.controller';

/** The demo relying-party page (README "Demo page"); off unless config.demoPage. */
@Module({ controllers: [DemoController] })
export class DemoModule {}
