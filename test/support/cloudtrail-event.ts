/**
 * CloudTrail events as EventBridge delivers them, for the tests and the emulator: the
 * envelope (https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html)
 * around a CloudTrail record (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html),
 * "AWS API Call via CloudTrail" for a call and "AWS Service Event via CloudTrail" for an
 * event a service records itself (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-cloudtrail.html).
 * Generic (any service) and dependency-free; the samples in test/recheck/samples/ are its
 * output for each event kind the re-check takes.
 */
import { randomUUID } from 'node:crypto';

/** What an EventBridge event of CloudTrail's looks like, as far as the helpers write it. */
export interface CloudTrailEventBridgeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

/** The fields every event takes. */
interface CommonInput {
  /** The service's short name, as in `aws.<service>` and `<service>.amazonaws.com`: `securityhub`, `organizations`. */
  readonly service: string;
  readonly eventName: string;
  /** The account the event is recorded in (the caller's). */
  readonly account: string;
  readonly region: string;
  readonly eventTime: Date | string;
  /** EventBridge event id; a random UUID when omitted. */
  readonly id?: string;
  /** CloudTrail eventID; a random UUID when omitted. */
  readonly eventId?: string;
}

/** An API call: request and response as CloudTrail records them (the API's member names, first letter lower-cased). */
export interface CloudTrailCallInput extends CommonInput {
  readonly requestParameters: Readonly<Record<string, unknown>> | null;
  readonly responseElements?: Readonly<Record<string, unknown>> | null;
  /** Set for a call that failed: CloudTrail then records no response. */
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/** An event the service records itself, e.g. Organizations' `CreateAccountResult`. */
export interface CloudTrailServiceEventInput extends CommonInput {
  readonly serviceEventDetails: Readonly<Record<string, unknown>>;
}

/** CloudTrail writes times to the second, in UTC: `2026-12-06T08:30:00Z`. */
export function cloudTrailTime(time: Date | string): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function envelope(input: CommonInput, detailType: string, detail: Record<string, unknown>): CloudTrailEventBridgeEvent {
  return {
    version: '0',
    id: input.id ?? randomUUID(),
    'detail-type': detailType,
    source: `aws.${input.service}`,
    account: input.account,
    time: cloudTrailTime(input.eventTime),
    region: input.region,
    resources: [],
    detail,
  };
}

/** An "AWS API Call via CloudTrail" event for a write call (`readOnly: false`) made in `account`. */
export function cloudTrailEvent(input: CloudTrailCallInput): CloudTrailEventBridgeEvent {
  const failed = input.errorCode !== undefined;
  return envelope(input, 'AWS API Call via CloudTrail', {
    eventVersion: '1.11',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEROLEID0000:operator',
      arn: `arn:aws:sts::${input.account}:assumed-role/Operator/operator`,
      accountId: input.account,
    },
    eventTime: cloudTrailTime(input.eventTime),
    eventSource: `${input.service}.amazonaws.com`,
    eventName: input.eventName,
    awsRegion: input.region,
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.22.0',
    ...(failed ? { errorCode: input.errorCode, errorMessage: input.errorMessage ?? input.errorCode } : {}),
    requestParameters: input.requestParameters,
    responseElements: failed ? null : (input.responseElements ?? null),
    requestID: input.eventId ?? randomUUID(),
    eventID: input.eventId ?? randomUUID(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: input.account,
    eventCategory: 'Management',
  });
}

/** An "AWS Service Event via CloudTrail" event, recorded by the service in `account`. */
export function cloudTrailServiceEvent(input: CloudTrailServiceEventInput): CloudTrailEventBridgeEvent {
  return envelope(input, 'AWS Service Event via CloudTrail', {
    eventVersion: '1.11',
    userIdentity: { accountId: input.account, invokedBy: 'AWS Internal' },
    eventTime: cloudTrailTime(input.eventTime),
    eventSource: `${input.service}.amazonaws.com`,
    eventName: input.eventName,
    awsRegion: input.region,
    sourceIPAddress: 'AWS Internal',
    userAgent: 'AWS Internal',
    requestParameters: null,
    responseElements: null,
    eventID: input.eventId ?? randomUUID(),
    readOnly: false,
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: input.account,
    serviceEventDetails: input.serviceEventDetails,
    eventCategory: 'Management',
  });
}

/** The end of an asynchronous account creation (Organizations, management account, us-east-1). */
export function createAccountResultEvent(input: {
  readonly managementAccountId: string;
  readonly requestId: string;
  readonly state: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS';
  readonly accountId?: string;
  readonly accountName: string;
  readonly eventTime: Date | string;
  readonly id?: string;
  readonly eventId?: string;
  readonly failureReason?: string;
}): CloudTrailEventBridgeEvent {
  return cloudTrailServiceEvent({
    service: 'organizations',
    eventName: 'CreateAccountResult',
    account: input.managementAccountId,
    region: 'us-east-1',
    eventTime: input.eventTime,
    ...(input.id === undefined ? {} : { id: input.id }),
    ...(input.eventId === undefined ? {} : { eventId: input.eventId }),
    serviceEventDetails: {
      createAccountStatus: {
        id: input.requestId,
        state: input.state,
        accountName: input.accountName,
        ...(input.accountId === undefined ? {} : { accountId: input.accountId }),
        ...(input.failureReason === undefined ? {} : { failureReason: input.failureReason }),
        requestedTimestamp: cloudTrailTime(input.eventTime),
        completedTimestamp: cloudTrailTime(input.eventTime),
      },
    },
  });
}
