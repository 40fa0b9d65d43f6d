import { type TableName, tables } from '../infra/catalogue';

/** The physical name of a catalogue table, as bound to this function by CDK or the local runtime. */
export function tableName(table: TableName): string {
  const envVar = tables[table].envVar;
  const name = process.env[envVar];
  if (!name) throw new Error(`${envVar} is not set: this function is not bound to the ${table} table`);
  return name;
}
