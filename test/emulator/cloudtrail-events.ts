/**
 * CloudTrail-shaped EventBridge events for the emulator's write calls: the envelope
 * EventBridge puts around a CloudTrail record, with the record as `detail`. Field names
 * follow the CloudTrail record contents reference
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html)
 * and the EventBridge event structure
 * (https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html).
 * Event names and detail-types come from the re-check's catalog, so the emulator cannot
 * emit an event the rules would not match.
 */
import {
  API_CALL_DETAIL_TYPE,
  ORGANIZATIONS_EVENT_REGION,
  SERVICE_EVENT_DETAIL_TYPE,
  type ORGANIZATIONS_CHANGE_CALLS,
  type ORGANIZATIONS_SERVICE_EVENTS,
  type SECURITY_HUB_CHANGE_EVENTS,
} from '../../lambdas/audit/recheck/change-events';

/** The CloudTrail record (the event's `detail`). */
export interface CloudTrailDetail {
  readonly eventVersion: string;
  readonly userIdentity: Readonly<Record<string, string>>;
  /** ISO 8601 UTC to the second, as CloudTrail writes it. */
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly sourceIPAddress: string;
  /** The request's members, camelCase; `null` for a service event. */
  readonly requestParameters: Readonly<Record<string, unknown>> | null;
  /** The response's members, camelCase; `null` when the call returns nothing. */
  readonly responseElements: Readonly<Record<string, unknown>> | null;
  /** Only on a service event (`CreateAccountResult`). */
  readonly serviceEventDetails?: Readonly<Record<string, unknown>>;
  readonly eventID: string;
  readonly readOnly: boolean;
  readonly eventType: 'AwsApiCall' | 'AwsServiceEvent';
  readonly managementEvent: boolean;
  readonly recipientAccountId: string;
  readonly eventCategory: 'Management';
}

/** An EventBridge event carrying a CloudTrail record. */
export interface EmulatorEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': typeof API_CALL_DETAIL_TYPE | typeof SERVICE_EVENT_DETAIL_TYPE;
  readonly source: 'aws.organizations' | 'aws.securityhub';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: CloudTrailDetail;
}

/**
 * Names the emulator emits events for: the catalog's, and CreateAccount, whose call
 * CloudTrail records too although the re-check's rules wait for its CreateAccountResult.
 */
export type EmulatedEventName =
  | 'CreateAccount'
  | (typeof ORGANIZATIONS_CHANGE_CALLS)[number]
  | (typeof ORGANIZATIONS_SERVICE_EVENTS)[number]
  | (typeof SECURITY_HUB_CHANGE_EVENTS)[number];

/** What one event is about. */
export interface EventInput {
  readonly service: 'organizations' | 'securityhub';
  readonly eventName: EmulatedEventName;
  /** The account the event is recorded in (management account, or the audit account). */
  readonly account: string;
  /** Ignored for Organizations, which is always us-east-1. */
  readonly region: string;
  /** Epoch ms on the emulator's clock. */
  readonly time: number;
  /** Unique id, used as both the EventBridge id and the CloudTrail eventID. */
  readonly id: string;
  /** The request as sent (PascalCase); recorded camelCase. Absent for a service event. */
  readonly request?: Readonly<Record<string, unknown>>;
  /** The response (PascalCase); recorded camelCase. */
  readonly response?: Readonly<Record<string, unknown>> | null;
  /** Marks a service event (`AwsServiceEvent`), with its details (camelCase already). */
  readonly serviceEventDetails?: Readonly<Record<string, unknown>>;
}

/** CloudTrail's time format: ISO 8601 without milliseconds. */
export function cloudTrailTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `AccountId` → `accountId`, deeply, as CloudTrail records request and response members. */
export function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), camelCaseKeys(v)]),
  );
}

/** Builds one event. */
export function buildEvent(input: EventInput): EmulatorEvent {
  const serviceEvent = input.serviceEventDetails !== undefined;
  const region = input.service === 'organizations' ? ORGANIZATIONS_EVENT_REGION : input.region;
  const time = cloudTrailTime(input.time);
  const asRecord = (v: unknown): Record<string, unknown> | null =>
    v === undefined || v === null ? null : (camelCaseKeys(v) as Record<string, unknown>);
  const detail: CloudTrailDetail = {
    eventVersion: '1.08',
    userIdentity: serviceEvent
      ? { accountId: input.account, invokedBy: `${input.service}.amazonaws.com` }
      : {
          type: 'AssumedRole',
          accountId: input.account,
          arn: `arn:aws:sts::${input.account}:assumed-role/Admin/emulator`,
        },
    eventTime: time,
    eventSource: `${input.service}.amazonaws.com`,
    eventName: input.eventName,
    awsRegion: region,
    sourceIPAddress: serviceEvent ? `${input.service}.amazonaws.com` : '127.0.0.1',
    requestParameters: asRecord(input.request),
    responseElements: asRecord(input.response),
    ...(serviceEvent ? { serviceEventDetails: input.serviceEventDetails } : {}),
    eventID: input.id,
    readOnly: false,
    eventType: serviceEvent ? 'AwsServiceEvent' : 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: input.account,
    eventCategory: 'Management',
  };
  return {
    version: '0',
    id: input.id,
    'detail-type': serviceEvent ? SERVICE_EVENT_DETAIL_TYPE : API_CALL_DETAIL_TYPE,
    source: `aws.${input.service}`,
    account: input.account,
    time,
    region,
    resources: [],
    detail,
  };
}

/** Receives each event as it is emitted. */
export type EventListener = (event: EmulatorEvent) => void;

/** Keeps every emitted event and hands each to the registered listeners. */
export class EventLog {
  private readonly emitted: EmulatorEvent[] = [];
  private readonly listeners = new Set<EventListener>();

  /** Registers a listener; returns the function that unregisters it. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records the event and calls the listeners (synchronously, before the call is answered). */
  emit(event: EmulatorEvent): void {
    this.emitted.push(event);
    for (const listener of this.listeners) listener(event);
  }

  /** Every event so far, oldest first. */
  all(): readonly EmulatorEvent[] {
    return [...this.emitted];
  }
}
