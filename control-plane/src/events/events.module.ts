import { Global, Module } from '@nestjs/common';
import { ConfigEventsService } from './config-events.service.js';

@Global()
@Module({ providers: [ConfigEventsService], exports: [ConfigEventsService] })
export class EventsModule {}
