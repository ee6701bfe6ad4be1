import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthGuard } from './auth.guard.js';
import { ADMIN_TOKEN } from './auth.tokens.js';
import { SessionController } from './session.controller.js';

@Module({})
export class AuthModule {
  static register(adminToken: string): DynamicModule {
    return {
      module: AuthModule,
      imports: [TypeOrmModule.forFeature([ApiKeyEntity]), AuditModule],
      controllers: [ApiKeysController, SessionController],
      providers: [ApiKeysService, { provide: ADMIN_TOKEN, useValue: adminToken }, { provide: APP_GUARD, useClass: AuthGuard }],
    };
  }
}
