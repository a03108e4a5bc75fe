import {
  AccessDeniedException,
  InternalException,
  InvalidAccessException,
  InvalidInputException,
  ResourceNotFoundException,
} from '@aws-sdk/client-securityhub';
import { AuditError, SecurityHubFetchError } from '../../../../lambdas/audit/errors';
import {
  classifyCallError,
  errorMessage,
  errorName,
  isDeserializationError,
  refusalError,
} from '../../../../lambdas/audit/securityhub/call-errors';

/** What the SDK's deserializer throws for a 200 answer it cannot parse (see @smithy/core schema middleware). */
function deserializationError(): Error {
  const error = new TypeError('Invalid RFC-3339 date-time value');
  Object.defineProperty(error, '$response', { value: { statusCode: 200 }, enumerable: false });
  Object.assign(error, { $metadata: { httpStatusCode: 200 } });
  return error;
}

describe('classifyCallError', () => {
  it('stops on refusals of the whole API', () => {
    expect(classifyCallError(new AccessDeniedException({ message: 'no', $metadata: {} }))).toBe('FATAL');
    expect(classifyCallError(new InvalidAccessException({ message: 'no', $metadata: {} }))).toBe('FATAL');
  });

  it('splits on invalid input and on a vanished target', () => {
    expect(classifyCallError(new InvalidInputException({ message: 'bad', $metadata: {} }))).toBe('SPLIT');
    expect(classifyCallError(new ResourceNotFoundException({ message: 'gone', $metadata: {} }))).toBe('SPLIT');
  });

  it('isolates answers the SDK could not deserialize', () => {
    expect(isDeserializationError(deserializationError())).toBe(true);
    expect(classifyCallError(deserializationError())).toBe('UNREADABLE');
  });

  it('treats everything else, modeled service errors included, as a failed call', () => {
    const internal = new InternalException({ message: 'boom', $metadata: { httpStatusCode: 500 } });
    Object.defineProperty(internal, '$response', { value: {}, enumerable: false });
    expect(isDeserializationError(internal)).toBe(false);
    expect(classifyCallError(internal)).toBe('FAILED');
    expect(classifyCallError(new Error('socket hang up'))).toBe('FAILED');
    expect(classifyCallError('weird')).toBe('FAILED');
  });
});

describe('errorName and errorMessage', () => {
  it('read name and message, capped, with fallbacks', () => {
    expect(errorName(new InternalException({ message: 'x', $metadata: {} }))).toBe('InternalException');
    expect(errorName({ name: 'Custom' })).toBe('Custom');
    expect(errorName(undefined)).toBe('UnknownError');
    expect(errorMessage(new Error('m'.repeat(3000)))!.length).toBe(1024);
    expect(errorName({ name: 'N'.repeat(300) })).toHaveLength(256);
    expect(errorMessage('text')).toBe('text');
    expect(errorMessage({ any: 'object' })).toBeNull();
    expect(errorMessage(new Error(''))).toBeNull();
  });
});

describe('SecurityHubFetchError', () => {
  it('is a PERMISSION AuditError naming the refusal and keeping its cause', () => {
    const cause = new AccessDeniedException({ message: 'no', $metadata: {} });
    const error = refusalError('AccessDeniedException', cause);
    expect(error).toBeInstanceOf(SecurityHubFetchError);
    expect(error).toBeInstanceOf(AuditError);
    expect(error.kind).toBe('PERMISSION');
    expect(error.name).toBe('SecurityHubFetchError');
    expect(error.message).toContain('AccessDeniedException');
    expect(error.cause).toBe(cause);
  });
});
