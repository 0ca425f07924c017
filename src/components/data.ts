/**
 * The site's tables in DuckDB-WASM, loaded on demand from the data files listed in ./files.ts (nothing is downloaded
 * until a page asks for a table).
 */
import { FILES } from "./files.js";
import { loadTable, query, type Row } from "./db.js";
import { runsQuery } from "./sql.js";

export type TableName = keyof typeof FILES;

/** Load the named tables into DuckDB (once each). */
export async function ensureTables(...names: TableName[]): Promise<void> {
  await Promise.all(names.map((name) => loadTable(name, FILES[name])));
}

let allRuns: Promise<Row[]> | null = null;
/** Every run, from runs.parquet in DuckDB-WASM (the Explorer's source; narrative pages read ./runs-json.ts). */
export function queryRuns(): Promise<Row[]> {
  allRuns ??= ensureTables("runs").then(() => query(runsQuery({})));
  return allRuns;
}
