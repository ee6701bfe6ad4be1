import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ApiError, ErrorBody, ErrorCode, STATUS_BY_CODE } from './api-error.js';
import { isDatabaseWait } from './db-errors.js';

const CODE_BY_STATUS = new Map<number, ErrorCode>(Object.entries(STATUS_BY_CODE).map(([code, status]) => [status, code as ErrorCode]));

/**
 * Renders every error, ours or the framework's, in the one ErrorBody shape, so that clients
 * parse a single format whatever went wrong.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (isDatabaseWait(exception)) {
      // The database is stalled or gone: say so, and when to try again, instead of a 500.
      this.logger.warn(`database did not answer in time: ${(exception as Error).message}`);
      response.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
      response.status(HttpStatus.SERVICE_UNAVAILABLE).json({
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        code: ErrorCode.Unavailable,
        message: 'the database did not answer in time; nothing was changed; retry shortly',
      });
      return;
    }
    const body = this.toBody(exception);
    if (body.statusCode >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof ApiError) return exception.toBody();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = CODE_BY_STATUS.get(status) ?? (status < 500 ? ErrorCode.ValidationFailed : ErrorCode.Internal);
      return { statusCode: status, code, message: httpMessage(exception) };
    }
    // body-parser errors (malformed JSON, body too large) are plain errors carrying a status.
    const status = (exception as { status?: unknown })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const type = (exception as { type?: string }).type;
      if (type === 'entity.too.large') {
        return { statusCode: HttpStatus.PAYLOAD_TOO_LARGE, code: ErrorCode.PayloadTooLarge, message: 'request body is too large' };
      }
      return {
        statusCode: HttpStatus.BAD_REQUEST,
        code: ErrorCode.ValidationFailed,
        message: type === 'entity.parse.failed' ? 'request body is not valid JSON' : String((exception as Error).message),
        fields: [{ field: 'body', message: 'must be a valid JSON document' }],
      };
    }
    return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, code: ErrorCode.Internal, message: 'internal error' };
  }
}

/** Seconds a client should wait after a 503 for a stalled database. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

function httpMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}
