import { statusOf, type ErrorCode } from './error-codes.js';

/**
 * The one error type services and middlewares throw; the error middleware renders it.
 * Its status comes from the code's entry in the catalog (utils/error-codes.ts).
 */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = statusOf(code);
  }
}

export const notFound = (what = 'Resource') => new AppError('NOT_FOUND', `${what} not found`);
export const unauthorized = (message = 'Authentication required', code: ErrorCode = 'UNAUTHORIZED') =>
  new AppError(code, message);
export const forbidden = (message = 'Not allowed', code: ErrorCode = 'FORBIDDEN') => new AppError(code, message);
