import type { InvalidInputExceptionReason } from '@aws-sdk/client-organizations';
/**
 * An error the emulated service returns to the client. Handlers throw it; the protocol
 * writers (JSON 1.1 for Organizations, REST-JSON for Security Hub) put it on the wire.
 */
export class EmulatedServiceError extends Error {
  /**
   * @param code The AWS error code, e.g. `InvalidInputException`; the SDK maps it to its exception class.
   * @param httpStatus Status code on the wire.
   * @param fields Extra members of the error body, e.g. Organizations' `Reason`.
   */
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
    readonly fields: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'EmulatedServiceError';
  }
}

/**
 * Organizations' InvalidInputException. `reason` is a wire value of the SDK model's
 * `InvalidInputExceptionReason` enum, e.g. `INVALID_NEXT_TOKEN` (the enum's
 * `INVALID_PAGINATION_TOKEN` key) or `MAX_VALUE_EXCEEDED`.
 */
export function organizationsInvalidInput(reason: InvalidInputExceptionReason, message: string): EmulatedServiceError {
  return new EmulatedServiceError('InvalidInputException', 400, message, { Reason: reason });
}

/**
 * A member of the wrong JSON type: the AWS JSON protocols reject the request before the
 * operation sees it, so there is no InvalidInputException reason for it.
 */
export function serializationError(message: string): EmulatedServiceError {
  return new EmulatedServiceError('SerializationException', 400, message);
}

/** Security Hub's InvalidInputException (HTTP 400). */
export function securityHubInvalidInput(message: string): EmulatedServiceError {
  return new EmulatedServiceError('InvalidInputException', 400, message, { Code: 'InvalidInputException' });
}
