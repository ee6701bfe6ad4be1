import { Global, Module } from '@nestjs/common';
import { EventsController } from './events.controller.js';
import { LiveEventsService } from './live-events.service.js';

/** The live event stream (always: config changes are worth hearing without media). */
@Global()
@Module({ controllers: [EventsController], providers: [LiveEventsService], exports: [LiveEventsService] })
export class TelemetryModule {}
