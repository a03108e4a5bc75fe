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
 * Organizations' InvalidInputException. `reason` is one of the documented values, e.g.
 * `INVALID_PAGINATION_TOKEN` or `MAX_VALUE_EXCEEDED`.
 */
export function organizationsInvalidInput(reason: string, message: string): EmulatedServiceError {
  return new EmulatedServiceError('InvalidInputException', 400, message, { Reason: reason });
}

/** Security Hub's InvalidInputException (HTTP 400). */
export function securityHubInvalidInput(message: string): EmulatedServiceError {
  return new EmulatedServiceError('InvalidInputException', 400, message, { Code: 'InvalidInputException' });
}
