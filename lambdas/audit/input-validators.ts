/**
 * Checks of values that name AWS resources or report locations, shared by everything that
 * takes them from outside: the Lambda's environment (`config.ts`, `settings.ts`), the CDK context
 * (`infra/config/audit-config.ts`) and the CLI's options.
 * Each returns `undefined` when the value is fine, or what was expected, so a caller can
 * put the name of its own variable or option in front.
 */

/** S3 general purpose bucket names: 3–63 of a-z 0-9 . -, starting and ending with a letter or digit. */
const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** SNS topic ARN in any partition. */
const TOPIC_ARN_PATTERN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
/**
 * Longest report prefix; S3 keys are at most 1,024 bytes and the layout below needs room.
 * @internal Exported for its tests.
 */
export const MAX_REPORT_PREFIX_LENGTH = 256;

/** Problem with an S3 bucket name, or undefined. */
export function bucketNameProblem(name: string): string | undefined {
  if (!BUCKET_NAME_PATTERN.test(name) || name.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(name)) {
    return 'expected an S3 bucket name (3-63 characters: a-z, 0-9, ".", "-")';
  }
  return undefined;
}

/** Problem with an SNS topic ARN, or undefined. */
export function topicArnProblem(arn: string): string | undefined {
  return TOPIC_ARN_PATTERN.test(arn) ? undefined : 'expected an SNS topic ARN (arn:aws:sns:region:123456789012:name)';
}

/**
 * IAM wildcards (`*`, `?`) and the policy-variable syntax (`${...}`). A value that ends up
 * inside an IAM resource ARN must not contain them, or the grant would cover more than
 * the one object (e.g. `config/*` for "config/*.json", or `${aws:username}`).
 */
const IAM_PATTERN_CHARACTERS = ['*', '?', '$', '{', '}'] as const;

/** Why `value` cannot be part of an IAM resource ARN, or undefined when it can. */
function iamPatternProblem(value: string): string | undefined {
  const found = IAM_PATTERN_CHARACTERS.filter((c) => value.includes(c));
  return found.length === 0
    ? undefined
    : `must not contain ${found.map((c) => `"${c}"`).join(', ')}: the value becomes part of an IAM resource ARN, ` +
        'where "*" and "?" are wildcards and "${...}" is a policy variable';
}

/** S3's limit on key length, in UTF-8 bytes. */
const MAX_S3_KEY_BYTES = 1024;

/**
 * The one rule for an S3 object key in the report bucket (the baseline and exclusions
 * documents): no leading "/", no white space or control characters, at most 1024 bytes,
 * and nothing IAM would read as a pattern (the key is granted as an object ARN).
 */
export function s3ObjectKeyProblem(value: string): string | undefined {
  if (value.startsWith('/')) {
    return 'expected an S3 object key in the report bucket (no leading "/")';
  }
  if (/\s/.test(value) || [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    return 'expected an S3 object key in the report bucket (no white space or control characters)';
  }
  if (new TextEncoder().encode(value).length > MAX_S3_KEY_BYTES) {
    return `expected an S3 object key in the report bucket (at most ${MAX_S3_KEY_BYTES} bytes)`;
  }
  return iamPatternProblem(value);
}

/**
 * The one rule for the report's key prefix (Lambda environment, CDK context and CLI): at
 * most {@link MAX_REPORT_PREFIX_LENGTH} characters, no leading "/", only the characters S3
 * calls safe for keys, none that IAM reads as a pattern (the prefix is granted as an
 * object ARN), and no empty, `.` or `..` segment: in a local directory such a segment would
 * leave or fold the report folder, and in S3 it makes keys nobody can type.
 */
export function reportPrefixProblem(value: string): string | undefined {
  if (value.length > MAX_REPORT_PREFIX_LENGTH) return `expected at most ${MAX_REPORT_PREFIX_LENGTH} characters`;
  if (value.startsWith('/')) return 'must not start with "/"';
  const patternProblem = iamPatternProblem(value);
  if (patternProblem !== undefined) return patternProblem;
  if (!/^[A-Za-z0-9!_.'()/-]*$/.test(value)) {
    return "expected an S3 key prefix of safe characters (letters, digits and ! _ . ' ( ) / -)";
  }
  const inner = value.replace(/\/+$/, '');
  if (inner !== '' && inner.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    return 'expected no empty, "." or ".." segment';
  }
  return undefined;
}

/**
 * The report prefix's one spelling, applied by its setting's schema (and the CLI's option)
 * so the rest of the code takes it as given: '' stays ''; anything else loses leading slashes and ends with exactly one '/'.
 */
export function normalizeReportPrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

/** IAM role ARN in any partition. */
const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** A role ARN; its character set cannot hold an IAM pattern character. */
export function roleArnProblem(value: string): string | undefined {
  return ROLE_ARN_PATTERN.test(value) ? undefined : 'expected an IAM role ARN (arn:aws:iam::<account>:role/<name>)';
}

/** A KMS key id, key ARN, alias name or alias ARN (bounded, no spaces or control characters). */
const MAC_KEY_ID_PATTERN =
  /^(?:[0-9a-f-]{36}|mrk-[0-9a-f]{32}|alias\/[A-Za-z0-9/_-]{1,250}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key\/[0-9a-zA-Z-]{1,64}|alias\/[A-Za-z0-9/_-]{1,250}))$/;

/** Why `keyId` does not name a KMS key, or `undefined` when it does. */
export function macKeyIdProblem(keyId: string): string | undefined {
  return MAC_KEY_ID_PATTERN.test(keyId) ? undefined : 'expected a KMS key id, key ARN, alias name or alias ARN';
}
