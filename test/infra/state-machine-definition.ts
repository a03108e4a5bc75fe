/**
 * The state machine definition exactly as synthesized, with its CloudFormation references
 * resolved to local stand-ins, so tests can read it as plain Amazon States Language, check
 * it with asl-validator and run it in aws-local-stepfunctions.
 */
import type { Template } from 'aws-cdk-lib/assertions';

/** A retrier or catcher of a state, as far as tests read it. */
export interface AslErrorHandler {
  readonly ErrorEquals: readonly string[];
  readonly MaxAttempts?: number;
  readonly Next?: string;
  readonly [field: string]: unknown;
}

/** One state, as far as tests read it. */
export interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly Resource?: string;
  readonly Parameters?: Readonly<Record<string, unknown>>;
  readonly Retry?: readonly AslErrorHandler[];
  readonly Catch?: readonly AslErrorHandler[];
  readonly [field: string]: unknown;
}

/** The ASL shape tests read. */
export interface AslDefinition {
  readonly StartAt: string;
  readonly TimeoutSeconds?: number;
  readonly States: Readonly<Record<string, AslState>>;
}

/** Values stand in for CloudFormation references: `Ref` and `Fn::GetAtt` of a logical id. */
export type Resolver = (reference: { ref?: string; getAtt?: readonly [string, string] }) => string;

/** Renders references as ARNs of the right service, partition `aws`, account 123456789012, us-east-1. */
export const localArns: Resolver = ({ ref, getAtt }) => {
  if (ref === 'AWS::Partition') return 'aws';
  if (ref === 'AWS::Region') return 'us-east-1';
  if (ref === 'AWS::AccountId') return '123456789012';
  const id = getAtt?.[0] ?? ref ?? 'unknown';
  if (id.startsWith('AuditFunction')) return `arn:aws:lambda:us-east-1:123456789012:function:${id}`;
  if (id.startsWith('AlertTopic')) return `arn:aws:sns:us-east-1:123456789012:${id}`;
  return `arn:aws:local:us-east-1:123456789012:${id}`;
};

function resolve(node: unknown, resolver: Resolver): string {
  if (typeof node === 'string') return node;
  const o = node as Record<string, unknown>;
  if (Array.isArray(o['Fn::Join'])) {
    const [delimiter, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => resolve(part, resolver)).join(delimiter);
  }
  if (typeof o.Ref === 'string') return resolver({ ref: o.Ref });
  if (Array.isArray(o['Fn::GetAtt'])) return resolver({ getAtt: o['Fn::GetAtt'] as [string, string] });
  throw new Error(`cannot resolve ${JSON.stringify(node)} in the state machine definition`);
}

/** The one state machine's definition, parsed, with references resolved by `resolver`. */
export function stateMachineDefinition(template: Template, resolver: Resolver = localArns): AslDefinition {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  const definition = (machines[0] as { Properties: { DefinitionString: unknown } }).Properties.DefinitionString;
  return JSON.parse(resolve(definition, resolver)) as AslDefinition;
}
