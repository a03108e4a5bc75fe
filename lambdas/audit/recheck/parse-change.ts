/**
 * One EventBridge event, as the re-check's queue delivers it, to one verdict: a validated
 * {@link Change}, an event that changed nothing (IGNORED), or a bad one (BAD, with a bounded
 * and quoted detail for the log line). Nothing in the event is trusted: its sender, names,
 * ids and times are all checked against the catalog (`change-events.ts`) and the documented
 * id shapes, and the parser never throws, whatever it is given.
 *
 * Event structure: https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html;
 * CloudTrail record fields: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html.
 */
import type { BadEventReason, Change, ChangeService, ExpectedSenders, ParsedEvent } from '../types/recheck';
import { parseJson } from '../drift/json-document';
import { displaySafe } from '../util/display-text';
import { toIsoInstant } from '../util/iso-instant';
import { quoteUntrustedId } from '../target-ids';
import {
  API_CALL_DETAIL_TYPE,
  ORGANIZATIONS_CHANGE_CALLS,
  ORGANIZATIONS_EVENT_REGION,
  ORGANIZATIONS_EVENT_SOURCE,
  ORGANIZATIONS_SERVICE_EVENTS,
  ORGANIZATIONS_SOURCE,
  SECURITY_HUB_CHANGE_EVENTS,
  SECURITY_HUB_EVENT_SOURCE,
  SECURITY_HUB_SOURCE,
  SERVICE_EVENT_DETAIL_TYPE,
} from './change-events';
import { isJsonObject, isProblem, objectAt, ownField, type JsonObject, type ScopeVerdict } from './event-fields';
import { organizationsScope } from './organizations-changes';
import { securityHubScope } from './securityhub-changes';

/**
 * Largest message body taken, in UTF-8 bytes: an EventBridge event is at most 256 KB
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html), so a larger
 * body is not an event the rules sent.
 * @internal Exported for its tests.
 */
export const MAX_CHANGE_MESSAGE_BYTES = 256 * 1024;

/** Longest BAD detail, in characters: it goes to a log line. */
const MAX_DETAIL = 300;

/**
 * EventBridge's event `id` ("a unique value generated for every event", a UUID in practice):
 * it becomes a deduplication key and appears in logs, so only a short token is taken.
 */
const EVENT_ID_PATTERN = /^[0-9A-Za-z][0-9A-Za-z-]{0,63}$/;

/** CloudTrail's `eventTime`: UTC to the second (`2019-11-27T17:50:18Z`), milliseconds tolerated. */
const EVENT_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

/** What the envelope of each service's events must say. */
interface ServiceRules {
  readonly service: ChangeService;
  readonly detailTypes: readonly string[];
  readonly eventSource: string;
  readonly calls: readonly string[];
  readonly serviceEvents: readonly string[];
}

const RULES_BY_SOURCE: ReadonlyMap<string, ServiceRules> = new Map([
  [
    SECURITY_HUB_SOURCE,
    {
      service: 'securityhub',
      detailTypes: [API_CALL_DETAIL_TYPE],
      eventSource: SECURITY_HUB_EVENT_SOURCE,
      calls: SECURITY_HUB_CHANGE_EVENTS,
      serviceEvents: [],
    },
  ],
  [
    ORGANIZATIONS_SOURCE,
    {
      service: 'organizations',
      detailTypes: [API_CALL_DETAIL_TYPE, SERVICE_EVENT_DETAIL_TYPE],
      eventSource: ORGANIZATIONS_EVENT_SOURCE,
      calls: ORGANIZATIONS_CHANGE_CALLS,
      serviceEvents: ORGANIZATIONS_SERVICE_EVENTS,
    },
  ],
]);

/** The envelope fields as read so far, once source and names are known good. */
interface Envelope {
  readonly rules: ServiceRules;
  readonly eventName: string;
  readonly detail: JsonObject;
}

function bad(reason: BadEventReason, detail: string): ParsedEvent {
  return { status: 'BAD', reason, detail: displaySafe(detail, MAX_DETAIL) };
}

/** A field's value for a message: quoted and bounded, whatever it is. */
function shown(value: unknown): string {
  return value === undefined ? 'missing' : quoteUntrustedId(typeof value === 'string' ? value : JSON.stringify(value));
}

/** Source, detail-type, eventSource and eventName against the catalog. */
function readEnvelope(event: JsonObject): Envelope | ParsedEvent {
  const source = ownField(event, 'source');
  const rules = typeof source === 'string' ? RULES_BY_SOURCE.get(source) : undefined;
  if (rules === undefined) return bad('UNEXPECTED_SOURCE', `source ${shown(source)}`);
  const detailType = ownField(event, 'detail-type');
  if (typeof detailType !== 'string' || !rules.detailTypes.includes(detailType)) {
    return bad('UNEXPECTED_SOURCE', `detail-type ${shown(detailType)} from ${rules.service}`);
  }
  const detail = objectAt(event, 'detail');
  if (isProblem(detail)) return bad(detail.bad, detail.detail);
  const eventSource = ownField(detail, 'eventSource');
  if (eventSource !== rules.eventSource) return bad('UNEXPECTED_SOURCE', `detail.eventSource ${shown(eventSource)}`);
  const eventName = ownField(detail, 'eventName');
  const isCall = typeof eventName === 'string' && rules.calls.includes(eventName);
  const isServiceEvent = typeof eventName === 'string' && rules.serviceEvents.includes(eventName);
  if (!isCall && !isServiceEvent) return bad('UNKNOWN_EVENT_NAME', `detail.eventName ${shown(eventName)}`);
  // A call is an AwsApiCall under the API-call detail-type, a service event the other way round.
  const eventType = ownField(detail, 'eventType');
  const wantedType = isCall ? 'AwsApiCall' : 'AwsServiceEvent';
  const wantedDetailType = isCall ? API_CALL_DETAIL_TYPE : SERVICE_EVENT_DETAIL_TYPE;
  if (eventType !== wantedType || detailType !== wantedDetailType) {
    return bad(
      'MALFORMED',
      `${eventName}: detail.eventType ${shown(eventType)} under detail-type ${shown(detailType)}`,
    );
  }
  return { rules, eventName, detail };
}

/** Account and Region of the sender: the audit account and home Region, or the management account in us-east-1. */
function checkSender(event: JsonObject, envelope: Envelope, expected: ExpectedSenders): ParsedEvent | null {
  const isSecurityHub = envelope.rules.service === 'securityhub';
  const wantedAccount = isSecurityHub ? expected.auditAccountId : expected.managementAccountId;
  const wantedRegion = isSecurityHub ? expected.homeRegion : ORGANIZATIONS_EVENT_REGION;
  const account = ownField(event, 'account');
  const recipient = ownField(envelope.detail, 'recipientAccountId');
  if (wantedAccount === null || account !== wantedAccount || (recipient !== undefined && recipient !== account)) {
    return bad('UNEXPECTED_ACCOUNT', `${envelope.eventName} from account ${shown(account)}`);
  }
  const region = ownField(event, 'region');
  const awsRegion = ownField(envelope.detail, 'awsRegion');
  if (region !== wantedRegion || (awsRegion !== undefined && awsRegion !== region)) {
    return bad('UNEXPECTED_REGION', `${envelope.eventName} from Region ${shown(region)}`);
  }
  return null;
}

/** The event id and CloudTrail eventTime (epoch ms), or a BAD verdict. */
function readIdAndTime(event: JsonObject, detail: JsonObject): { id: string; time: number } | ParsedEvent {
  const id = ownField(event, 'id');
  if (typeof id !== 'string') return bad('MALFORMED', `id ${shown(id)}`);
  if (!EVENT_ID_PATTERN.test(id)) return bad('BAD_ID', `id ${shown(id)} is not an event id`);
  const eventTime = ownField(detail, 'eventTime');
  const iso = typeof eventTime === 'string' && EVENT_TIME_PATTERN.test(eventTime) ? toIsoInstant(eventTime) : null;
  if (iso === null) return bad('MALFORMED', `detail.eventTime ${shown(eventTime)}, expected a UTC time`);
  return { id, time: Date.parse(iso) };
}

/** The verdict of the catalog's mapping, as a ParsedEvent. */
function verdictOf(envelope: Envelope, verdict: ScopeVerdict, id: string, time: number): ParsedEvent {
  const { eventName } = envelope;
  if ('ignored' in verdict) return { status: 'IGNORED', eventName, why: verdict.ignored };
  if (isProblem(verdict)) return bad(verdict.bad, `${eventName}: ${verdict.detail}`);
  const change: Change = {
    eventId: id,
    eventName,
    service: envelope.rules.service,
    eventTime: time,
    scope: verdict.scope,
  };
  return { status: 'CHANGE', change };
}

/**
 * The verdict on one EventBridge event object (the queue message already parsed). Never throws.
 * A call that failed (`errorCode`) changed nothing and is IGNORED; so is an account creation
 * that did not succeed. Security Hub events must come from the audit account and home Region,
 * Organizations events from the management account in us-east-1.
 * @internal Exported for its tests.
 */
export function parseChangeEvent(raw: unknown, expected: ExpectedSenders): ParsedEvent {
  if (!isJsonObject(raw)) return bad('MALFORMED', 'the event is not a JSON object');
  const envelope = readEnvelope(raw);
  if ('status' in envelope) return envelope;
  const sender = checkSender(raw, envelope, expected);
  if (sender !== null) return sender;
  const idAndTime = readIdAndTime(raw, envelope.detail);
  if ('status' in idAndTime) return idAndTime;
  const errorCode = ownField(envelope.detail, 'errorCode');
  if (errorCode !== undefined && errorCode !== null) {
    return {
      status: 'IGNORED',
      eventName: envelope.eventName,
      why: `the call failed (${displaySafe(shown(errorCode), 80)})`,
    };
  }
  const { service } = envelope.rules;
  const verdict =
    service === 'securityhub'
      ? securityHubScope(envelope.eventName as (typeof SECURITY_HUB_CHANGE_EVENTS)[number], envelope.detail)
      : organizationsScope(
          envelope.eventName as
            (typeof ORGANIZATIONS_CHANGE_CALLS)[number] | (typeof ORGANIZATIONS_SERVICE_EVENTS)[number],
          envelope.detail,
        );
  return verdictOf(envelope, verdict, idAndTime.id, idAndTime.time);
}

/** Envelope and CloudTrail field names, so a duplicate-key message points at the field by name. */
const EVENT_FIELDS: ReadonlySet<string> = new Set([
  'detail',
  'requestParameters',
  'responseElements',
  'serviceEventDetails',
]);

/**
 * The verdict on one queue message body (EventBridge delivers the event as the body's JSON).
 * The body is bounded ({@link MAX_CHANGE_MESSAGE_BYTES}) and parsed strictly: invalid JSON is
 * NOT_JSON; too large, too deep, a duplicate key or a `__proto__` key is MALFORMED. Never throws.
 */
export function parseChangeMessage(body: string, expected: ExpectedSenders): ParsedEvent {
  // Length first: UTF-8 takes at least one byte per UTF-16 unit, so a huge string is refused unscanned.
  if (body.length > MAX_CHANGE_MESSAGE_BYTES || Buffer.byteLength(body, 'utf8') > MAX_CHANGE_MESSAGE_BYTES) {
    return bad('MALFORMED', `message body over ${MAX_CHANGE_MESSAGE_BYTES} bytes`);
  }
  const parsed = parseJson(body, EVENT_FIELDS);
  if (!parsed.ok) return bad(parsed.cause === undefined ? 'MALFORMED' : 'NOT_JSON', parsed.problem);
  return parseChangeEvent(parsed.value, expected);
}
