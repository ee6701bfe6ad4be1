import { HttpStatus } from '@nestjs/common';

/** Every error the API can return, by code; the code decides the HTTP status. */
export enum ErrorCode {
  ValidationFailed = 'validation_failed',
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  Conflict = 'conflict',
  PreconditionFailed = 'precondition_failed',
  PayloadTooLarge = 'payload_too_large',
  Internal = 'internal_error',
  Unavailable = 'unavailable',
}

export const STATUS_BY_CODE: Record<ErrorCode, HttpStatus> = {
  [ErrorCode.ValidationFailed]: HttpStatus.BAD_REQUEST,
  [ErrorCode.Unauthorized]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.Forbidden]: HttpStatus.FORBIDDEN,
  [ErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.Conflict]: HttpStatus.CONFLICT,
  [ErrorCode.PreconditionFailed]: HttpStatus.PRECONDITION_FAILED,
  [ErrorCode.PayloadTooLarge]: HttpStatus.PAYLOAD_TOO_LARGE,
  [ErrorCode.Internal]: HttpStatus.INTERNAL_SERVER_ERROR,
  [ErrorCode.Unavailable]: HttpStatus.SERVICE_UNAVAILABLE,
};

/** One problem with one field of a request, `field` as a dotted path (`ingest.fec.rows`). */
export interface FieldProblem {
  field: string;
  message: string;
}

/** The one JSON shape of every error body. */
export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  message: string;
  fields?: FieldProblem[];
}

/** A typed domain error; services throw these and the exception filter renders them. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldProblem[],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): HttpStatus {
    return STATUS_BY_CODE[this.code];
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { statusCode: this.status, code: this.code, message: this.message };
    if (this.fields?.length) body.fields = this.fields;
    return body;
  }

  static invalid(fields: FieldProblem[]): ApiError {
    const summary = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
    return new ApiError(ErrorCode.ValidationFailed, summary, fields);
  }

  static invalidField(field: string, message: string): ApiError {
    return ApiError.invalid([{ field, message }]);
  }

  static notFound(kind: string, ref: string): ApiError {
    return new ApiError(ErrorCode.NotFound, `${kind} "${ref}" not found`);
  }

  static conflict(field: string, message: string): ApiError {
    return new ApiError(ErrorCode.Conflict, `${field}: ${message}`, [{ field, message }]);
  }
}
