import { TrinoSQL } from 'dt-sql-parser';
import type { ParseTree, ParserRuleContext } from 'antlr4ng';
import {
  AliasedRelationContext,
  ComparisonContext,
  PredicatedContext,
  QuerySpecificationContext,
  TableNameContext,
} from 'dt-sql-parser/dist/lib/trino/TrinoSqlParser';

/**
 * Reads the named queries with the Trino grammar Athena engine 3 speaks, to check two
 * things DuckDB cannot: that a query is Athena SQL, and that every read of a partitioned
 * table is bounded by a `dt` predicate Athena can evaluate while planning (a constant
 * computed from `current_date`), so partition projection never lists the whole history.
 */

const trino = new TrinoSQL();

/** Syntax errors of `sql` under Trino's grammar (empty when Athena would parse it). */
export function trinoSyntaxErrors(sql: string): string[] {
  return trino.validate(sql).map((e) => `${e.startLine}:${e.startColumn} ${e.message}`);
}

/** A read of a partitioned table inside one SELECT ... FROM ... WHERE block. */
export interface TableRead {
  readonly table: string;
  /** The alias, or the table name when there is none. */
  readonly alias: string;
  /** The `dt` bounds found for it, e.g. `>= CAST(CAST(current_date - INTERVAL '7' DAY AS DATE) AS VARCHAR)`. */
  readonly bounds: string[];
}

/** `dt` compared with a value computed from `current_date` alone: a planning-time constant. */
const PLAN_TIME_BOUND = /^cast\(cast\(current_date-interval'\d+'dayasdate\)asvarchar\)$/i;

function descendants(node: ParseTree, out: ParseTree[] = []): ParseTree[] {
  for (let i = 0; i < node.getChildCount(); i++) {
    const child = node.getChild(i)!;
    out.push(child);
    descendants(child, out);
  }
  return out;
}

/** The nearest enclosing SELECT block, so a subquery's predicates count only for its own tables. */
function enclosingQuery(node: ParseTree): ParserRuleContext | null {
  let current: ParseTree | null = node.parent;
  while (current !== null && !(current instanceof QuerySpecificationContext)) current = current.parent;
  return current;
}

function aliasOf(table: TableNameContext): string {
  // TableNameContext is a RelationPrimaryContext: its parent is the aliased relation.
  const aliased = table.parent;
  const alias = aliased instanceof AliasedRelationContext ? aliased.identifier()?.getText() : undefined;
  return alias ?? table.getText();
}

/** The left operand, operator and right operand of each comparison in `query`'s own block. */
function comparisons(query: ParserRuleContext): { left: string; operator: string; right: string }[] {
  return descendants(query)
    .filter((n): n is ComparisonContext => n instanceof ComparisonContext && enclosingQuery(n) === query)
    .map((c) => ({
      left: c.parent instanceof PredicatedContext ? c.parent.valueExpression().getText() : '',
      operator: c.comparisonOperator().getText(),
      right: c.valueExpression().getText(),
    }));
}

/**
 * Every read of `tables` in `sql`, with the planning-time `dt` lower bounds that apply
 * to it in the same block (`alias.dt >= <current_date expression>`, or bare `dt` when
 * the table has no alias), from the WHERE clause or a join's ON clause.
 */
export function partitionReads(sql: string, tables: readonly string[]): TableRead[] {
  const tree = trino.parse(sql);
  return descendants(tree)
    .filter((n): n is TableNameContext => n instanceof TableNameContext && tables.includes(n.getText()))
    .map((table) => {
      const query = enclosingQuery(table);
      const alias = aliasOf(table);
      const column = alias === table.getText() ? ['dt', `${alias}.dt`] : [`${alias}.dt`];
      const bounds = (query ? comparisons(query) : [])
        .filter((c) => column.includes(c.left) && ['>=', '>'].includes(c.operator) && PLAN_TIME_BOUND.test(c.right))
        .map((c) => `${c.operator} ${c.right}`);
      return { table: table.getText(), alias, bounds };
    });
}
