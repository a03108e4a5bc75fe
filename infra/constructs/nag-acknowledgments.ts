import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag 3 acknowledges each IAM5 finding separately, by the exact id it reports:
 * `AwsSolutions-IAM5[Resource::<resource flattened>]`, where references are written
 * `<LogicalId.Attr>` / `<Ref>`. This renders a resource the same way, so an
 * acknowledgment names exactly the wildcard that was granted and nothing else.
 */
function flattenForNag(scope: IConstruct, resource: string): string {
  const visit = (node: unknown): string => {
    if (typeof node === 'string') {
      return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    }
    if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (Array.isArray(o['Fn::Join'])) {
        const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
        return items.map(visit).join(delimiter);
      }
      if (Array.isArray(o['Fn::GetAtt'])) {
        const [logicalId, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
        return `<${visit(logicalId)}.${visit(attribute)}>`;
      }
      if ('Ref' in o) {
        return `<${visit(o.Ref)}>`;
      }
    }
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(resource));
}

/** Resources granted for one reason. */
export interface WildcardGrant {
  readonly resources: readonly string[];
  readonly reason: string;
}

/**
 * Acknowledges the AwsSolutions-IAM5 finding of each wildcard resource of `grants`
 * on `policy`. A resource granted for several reasons (e.g. `*` for two services)
 * is one finding, acknowledged once with all the reasons.
 */
export function acknowledgeWildcardResources(policy: IConstruct, grants: readonly WildcardGrant[]): void {
  const reasons = new Map<string, string[]>();
  for (const grant of grants) {
    for (const resource of grant.resources) {
      const flat = flattenForNag(policy, resource);
      if (flat.includes('*')) {
        reasons.set(flat, [...(reasons.get(flat) ?? []), grant.reason]);
      }
    }
  }
  for (const [flat, why] of reasons) {
    Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason: why.join(' ') });
  }
}
