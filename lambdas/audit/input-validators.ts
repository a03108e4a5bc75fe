/**
 * Checks of values that name AWS resources or report locations, shared by everything that
 * takes them from outside: the Lambda's environment (`config.ts`) and the CLI's options.
 * Each returns `undefined` when the value is fine, or what was expected, so a caller can
 * put the name of its own variable or option in front.
 */

/** S3 general purpose bucket names: 3–63 of a-z 0-9 . -, starting and ending with a letter or digit. */
export const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** IAM role ARN in any partition. */
export const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** SNS topic ARN in any partition. */
export const TOPIC_ARN_PATTERN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
/** Characters allowed in a report prefix: S3's "safe characters" (no spaces, no controls). */
export const REPORT_PREFIX_PATTERN = /^[A-Za-z0-9!_.*'()/-]*$/;
/** Longest report prefix; S3 keys are at most 1,024 bytes and the layout below needs room. */
export const MAX_REPORT_PREFIX_LENGTH = 256;

/** Problem with an S3 bucket name, or undefined. */
export function bucketNameProblem(name: string): string | undefined {
  if (!BUCKET_NAME_PATTERN.test(name) || name.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(name)) {
    return 'expected an S3 bucket name (3-63 characters: a-z, 0-9, ".", "-")';
  }
  return undefined;
}

/**
 * Problem with a report key prefix, or undefined. Besides S3's safe characters, no
 * segment may be `.` or `..` or empty: in a local directory such a prefix would leave or
 * fold the report folder, and in S3 it makes keys nobody can type. A leading or trailing
 * `/` is allowed (the prefix is normalised).
 */
export function reportPrefixProblem(prefix: string): string | undefined {
  if (prefix.length > MAX_REPORT_PREFIX_LENGTH) return `expected at most ${MAX_REPORT_PREFIX_LENGTH} characters`;
  if (!REPORT_PREFIX_PATTERN.test(prefix))
    return "expected an S3 key prefix of safe characters (A-Z a-z 0-9 ! _ . * ' ( ) / -)";
  const inner = prefix.replace(/^\/+/, '').replace(/\/+$/, '');
  if (inner !== '' && inner.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    return 'expected no empty, "." or ".." segment';
  }
  return undefined;
}

/** Problem with an IAM role ARN, or undefined. */
export function roleArnProblem(arn: string): string | undefined {
  return ROLE_ARN_PATTERN.test(arn) ? undefined : 'expected an IAM role ARN (arn:aws:iam::123456789012:role/name)';
}

/** Problem with an SNS topic ARN, or undefined. */
export function topicArnProblem(arn: string): string | undefined {
  return TOPIC_ARN_PATTERN.test(arn) ? undefined : 'expected an SNS topic ARN (arn:aws:sns:region:123456789012:name)';
}
