/**
 * https links into the AWS consoles for what a report names: a configuration policy, an
 * account, an OU or root, and the report's own S3 objects. One module, so the HTML report
 * and the digest build the same links. Every value is URL-encoded here; callers still
 * HTML-escape the URL when they write it into markup.
 */

/** Partitions with a public console; other partitions (ISO) get no links. */
const CONSOLE_DOMAINS = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
} as const;

/** A partition whose console the links can point at. */
type ConsolePartition = keyof typeof CONSOLE_DOMAINS;

/** Where the run ran: what the console links are built from. */
export interface ConsoleContext {
  readonly partition: ConsolePartition;
  /** The Region the audit runs in (the Security Hub home Region). */
  readonly region: string;
  /** The report bucket; without it there are no S3 links. */
  readonly bucket?: string;
}

/** A Region name as AWS spells them (`us-east-1`, `us-gov-west-1`, `cn-north-1`). */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** Regions of partitions without a public console (us-iso-east-1, eu-isoe-west-1, ...). */
const ISOLATED_REGION = /^[a-z]{2}-iso[a-z]?-/;

/**
 * The console context of a Region (normally the function's `AWS_REGION`): its partition
 * follows from the name. `undefined` for a missing or malformed Region, or one in a
 * partition without a public console, so the report then simply has no console links.
 */
export function consoleContextOf(region: string | undefined, bucket?: string): ConsoleContext | undefined {
  if (region === undefined || !REGION.test(region) || ISOLATED_REGION.test(region)) return undefined;
  const partition: ConsolePartition = region.startsWith('cn-')
    ? 'aws-cn'
    : region.startsWith('us-gov-')
      ? 'aws-us-gov'
      : 'aws';
  return bucket === undefined ? { partition, region } : { partition, region, bucket };
}

const enc = encodeURIComponent;

/** The console's host for a Region: regional in the commercial partition, shared elsewhere. */
function regionalHost(ctx: ConsoleContext): string {
  const domain = CONSOLE_DOMAINS[ctx.partition];
  return ctx.partition === 'aws' ? `${enc(ctx.region)}.${domain}` : domain;
}

/**
 * The Security Hub configuration policies page in the run's Region. The page of one policy
 * could not be confirmed offline, so the link opens the list; the report shows the id next
 * to it. The policy id is kept in the signature so a deep link can replace this in one place.
 */
export function policyConsoleUrl(ctx: ConsoleContext, policyId: string): string {
  void policyId;
  return `https://${regionalHost(ctx)}/securityhub/home?region=${enc(ctx.region)}#/configuration-policies`;
}

/** Organizations is a global service; in the commercial partition its console lives in us-east-1. */
function organizationsBase(ctx: ConsoleContext): string {
  const domain = CONSOLE_DOMAINS[ctx.partition];
  const host = ctx.partition === 'aws' ? `us-east-1.${domain}` : domain;
  return `https://${host}/organizations/v2/home`;
}

/** The Organizations console page of an account (12 digits), OU (`ou-…`) or root (`r-…`). */
export function targetConsoleUrl(ctx: ConsoleContext, targetId: string): string {
  const base = organizationsBase(ctx);
  if (targetId.startsWith('ou-')) return `${base}/organizational-units/${enc(targetId)}`;
  if (targetId.startsWith('r-')) return `${base}/root`;
  return `${base}/accounts/${enc(targetId)}`;
}

/** The S3 console page of an object in the report bucket; `undefined` when the bucket is not known. */
export function s3ObjectConsoleUrl(ctx: ConsoleContext, key: string): string | undefined {
  if (ctx.bucket === undefined) return undefined;
  const host = ctx.partition === 'aws' ? `s3.${CONSOLE_DOMAINS.aws}` : CONSOLE_DOMAINS[ctx.partition];
  return `https://${host}/s3/object/${enc(ctx.bucket)}?region=${enc(ctx.region)}&prefix=${enc(key)}`;
}
