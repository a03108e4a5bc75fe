import {
  classifyErrorCode,
  DEADLINE_EXCEEDED,
  isRetryableErrorCode,
} from '../../../../lambdas/audit/securityhub/unprocessed-errors';

describe('classifyErrorCode', () => {
  it.each([
    ['403', 'access denied for this target'],
    ['404', 'target not found'],
    ['400', 'invalid input for this target'],
    ['401', 'InvalidAccessException as a status'],
    ['AccessDeniedException', 'access denied by name'],
    ['AccessDenied', 'access denied, short form'],
    ['ResourceNotFoundException', 'not found by name'],
    ['InvalidInputException', 'invalid input by name'],
    ['InvalidAccessException', 'Security Hub not enabled / no access'],
    ['invalid_input', 'snake case'],
    [' 403 ', 'surrounding whitespace'],
    [DEADLINE_EXCEEDED, 'our own deadline marker'],
  ])('%s is TERMINAL (%s)', (code) => {
    expect(classifyErrorCode(code)).toBe('TERMINAL');
    expect(isRetryableErrorCode(code)).toBe(false);
  });

  it.each([
    ['429', 'throttled'],
    ['500', 'internal error'],
    ['502', 'bad gateway'],
    ['503', 'unavailable'],
    ['504', 'gateway timeout'],
    ['LimitExceededException', 'Security Hub throttling'],
    ['TooManyRequestsException', 'throttling'],
    ['ThrottlingException', 'throttling'],
    ['InternalException', 'service fault'],
    ['InternalServerError', 'service fault'],
    ['409', 'unknown 4xx'],
    ['SomethingNew', 'unknown name'],
    ['', 'empty'],
  ])('%s is RETRYABLE (%s)', (code) => {
    expect(classifyErrorCode(code)).toBe('RETRYABLE');
    expect(isRetryableErrorCode(code)).toBe(true);
  });

  it('treats a missing code as retryable', () => {
    expect(classifyErrorCode(null)).toBe('RETRYABLE');
    expect(classifyErrorCode(undefined)).toBe('RETRYABLE');
  });
});
