/**
 * Every table by its name in code. infra/catalogue.ts declares each one's keys, indexes and stream;
 * what a function gets is the physical name, bound in its environment by CDK or the local runtime.
 */
export const tableNames = [
  'members',
  'activities',
  'mailouts',
  'deliveries',
  'metrics',
  'counters',
  'idempotency',
  'limits',
] as const;

export type TableName = (typeof tableNames)[number];

/** The environment variable that carries a table's physical name to the functions bound to it. */
export const tableEnvVar = (table: TableName): string => `TABLE_${table.toUpperCase()}`;

/** The physical name of a table, as bound to this function by CDK or the local runtime. */
export function tableName(table: TableName): string {
  const envVar = tableEnvVar(table);
  const name = process.env[envVar];
  if (!name) throw new Error(`${envVar} is not set: this function is not bound to the ${table} table`);
  return name;
}
