import { Module } from '@nestjs/common';
import { OriginService } from './origin.service.js';

@Module({ providers: [OriginService], exports: [OriginService] })
export class OriginModule {}
