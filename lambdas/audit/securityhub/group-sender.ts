/**
 * Sends one group of targets in one BatchGetConfigurationPolicyAssociations call and
 * records what came back. A group the service refuses because of something in it
 * (invalid input, a vanished target, an answer the SDK cannot read) is halved until the
 * culprit is alone, so its group-mates still get their answers; a size that worked after
 * an invalid-input split is used for later groups.
 */
import { BatchGetConfigurationPolicyAssociationsCommand, type SecurityHubClient } from '@aws-sdk/client-securityhub';
import { isThrottlingError } from '../aws/request-counter';
import type { Clock } from '../model';
import type { AdaptivePacer } from './adaptive-pacer';
import { readAnswer, toIdentifier } from './association-answers';
import { classifyCallError, errorMessage, errorName, refusalError } from './call-errors';
import type { TargetEntry, TargetLedger } from './target-ledger';
import { MALFORMED_RESPONSE } from './unprocessed-errors';

/** What became of one group. */
export interface GroupOutcome {
  /** Ids that came back unprocessed with a retryable code (or whose call failed retryably). */
  readonly retry: readonly string[];
  /** The service answered a call for exactly this group (it was not rejected, split or skipped). */
  readonly accepted: boolean;
}

const NOT_SENT: GroupOutcome = { retry: [], accepted: false };

/** What a {@link GroupSender} works with. */
export interface GroupSenderProps {
  readonly client: SecurityHubClient;
  readonly clock: Clock;
  /** Epoch ms: at or after it no call is sent. */
  readonly deadline: number;
  readonly ledger: TargetLedger;
  readonly pacer: AdaptivePacer;
  /** Targets per call until a smaller size is learned. */
  readonly groupSize: number;
  /** After each group's outcome: targets with an outcome so far, of the targets known. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** See the module comment. */
export class GroupSender {
  /**
   * Learned group size limit. When a group rejected as invalid input has two halves that
   * are both accepted, the rejection was about size (a bad target would have failed one
   * half), so later groups are cut to that size up front.
   */
  groupSizeLimit: number;
  /** Calls sent (without the SDK's retries). */
  sends = 0;
  /** Groups halved to isolate a culprit. */
  splitGroups = 0;
  /** A group was not sent because the deadline came first. */
  deadlineReached = false;
  /** The refusal that stops the fan-out, once one came. */
  fatal: Error | undefined;
  /** Set when the fan-out is abandoned: groups not yet sent are dropped silently. */
  cancelled = false;

  constructor(private readonly props: GroupSenderProps) {
    this.groupSizeLimit = props.groupSize;
  }

  /** Sends `group` (cut to the learned limit), once its token is due and unless the deadline came. */
  async send(group: readonly TargetEntry[]): Promise<GroupOutcome> {
    if (this.fatal !== undefined || this.cancelled) return NOT_SENT;
    if (group.length > this.groupSizeLimit) {
      const retry: string[] = [];
      for (let i = 0; i < group.length; i += this.groupSizeLimit) {
        retry.push(...(await this.send(group.slice(i, i + this.groupSizeLimit))).retry);
      }
      return { retry, accepted: false };
    }
    if (this.pastDeadline()) return this.notSent(group);
    await this.props.pacer.take();
    // Waiting for a token may itself have run past the deadline.
    if (this.pastDeadline()) return this.notSent(group);
    if (this.fatal !== undefined || this.cancelled) return NOT_SENT;
    return this.call(group);
  }

  private async call(group: readonly TargetEntry[]): Promise<GroupOutcome> {
    const { client, ledger, pacer } = this.props;
    ledger.recordSent(group);
    this.sends += 1;
    const ticket = pacer.begin();
    const targets = group.map((entry) => entry.target);
    let output;
    try {
      output = await client.send(
        new BatchGetConfigurationPolicyAssociationsCommand({
          ConfigurationPolicyAssociationIdentifiers: targets.map(toIdentifier),
        }),
      );
    } catch (error) {
      pacer.end(ticket, isThrottlingError(error));
      return this.failed(group, error);
    }
    pacer.end(ticket, false);
    const retry = ledger.applyOutcomes(group, readAnswer(targets, output, this.props.clock.now()));
    this.settle(group);
    return { retry, accepted: true };
  }

  private failed(group: readonly TargetEntry[], error: unknown): Promise<GroupOutcome> {
    const kind = classifyCallError(error);
    const name = errorName(error);
    if (kind === 'FATAL') {
      // Reporting every target UNPROCESSED would page for the whole organization: stop.
      this.fatal ??= refusalError(name, error);
      throw this.fatal;
    }
    if ((kind === 'SPLIT' || kind === 'UNREADABLE') && group.length > 1) {
      return this.split(group, name === 'InvalidInputException');
    }
    // Asking again returns the same unreadable answer: terminal, like a malformed summary.
    // Anything else keeps every target with the error, and the re-drive rounds decide.
    const retry =
      kind === 'UNREADABLE'
        ? this.props.ledger.failGroup(group, MALFORMED_RESPONSE, `Unreadable answer: ${errorMessage(error) ?? name}`)
        : this.props.ledger.failGroup(group, name, errorMessage(error));
    this.settle(group);
    return Promise.resolve({ retry, accepted: false });
  }

  /** Halves `group` and sends both halves; `learn`: a size that worked becomes the limit. */
  private async split(group: readonly TargetEntry[], learn: boolean): Promise<GroupOutcome> {
    this.splitGroups += 1;
    const middle = Math.ceil(group.length / 2);
    const left = await this.send(group.slice(0, middle));
    const right = await this.send(group.slice(middle));
    if (learn && left.accepted && right.accepted) this.groupSizeLimit = Math.min(this.groupSizeLimit, middle);
    return { retry: [...left.retry, ...right.retry], accepted: false };
  }

  private notSent(group: readonly TargetEntry[]): GroupOutcome {
    this.deadlineReached = true;
    this.props.ledger.markNotSent(group);
    this.settle(group);
    return NOT_SENT;
  }

  private settle(group: readonly TargetEntry[]): void {
    const done = this.props.ledger.settle(group);
    this.props.onProgress?.(done, this.props.ledger.total);
  }

  private pastDeadline(): boolean {
    return this.props.clock.now() >= this.props.deadline;
  }
}
