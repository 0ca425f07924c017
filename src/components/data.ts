/**
 * The site's tables in DuckDB-WASM, loaded on demand from the data files listed in ./files.ts (nothing is downloaded
 * until a page asks for a table).
 */
import { FILES, SFA_FILES } from "./files.js";
export { FILES, SFA_FILES };
import { loadTable, query, type Row } from "./db.js";
import { runsQuery } from "./sql.js";

export const EXPERIMENT_IDS = Object.keys(SFA_FILES);

export type TableName = keyof typeof FILES;

/** Load the named tables into DuckDB (once each). */
export async function ensureTables(...names: TableName[]): Promise<void> {
  await Promise.all(names.map((name) => loadTable(name, FILES[name])));
}

/** The SQL table name holding an experiment's single-feature activations. */
export function sfaTable(experiment: string): string {
  if (!(experiment in SFA_FILES)) throw new Error(`unknown experiment ${JSON.stringify(experiment)}`);
  return `sfa_${experiment.toLowerCase().replace(/[^a-z0-9]/g, "_")}`;
}

export async function ensureSfa(experiment: string): Promise<string> {
  const table = sfaTable(experiment);
  await loadTable(table, SFA_FILES[experiment]);
  return table;
}

let allRuns: Promise<Row[]> | null = null;
/** Every run, from runs.parquet in DuckDB-WASM (the Explorer's source; narrative pages read ./runs-json.ts). */
export function queryRuns(): Promise<Row[]> {
  allRuns ??= ensureTables("runs").then(() => query(runsQuery({})));
  return allRuns;
}
