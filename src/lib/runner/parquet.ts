/** Writes the sweep tables as Parquet (zstd) through DuckDB, with the column types of the data contract. */
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from "@duckdb/node-api";
import { mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neuronKind, type RunRecord } from "./record.js";
import { TABLES, tableSpec, type ColumnType, type TableSpec } from "./tables.js";

type Value = string | number | boolean | null | undefined;

function append(appender: DuckDBAppender, type: ColumnType, value: Value): void {
  // NaN and +-Inf are kept in floating-point columns (a diverged run's final_loss is NaN); elsewhere they are NULL.
  if (
    value === null ||
    value === undefined ||
    (typeof value === "number" && !Number.isFinite(value) && type !== "DOUBLE" && type !== "FLOAT")
  ) {
    appender.appendNull();
    return;
  }
  switch (type) {
    case "VARCHAR":
      return appender.appendVarchar(String(value));
    case "INTEGER":
      return appender.appendInteger(Number(value));
    case "DOUBLE":
      return appender.appendDouble(Number(value));
    case "FLOAT":
      return appender.appendFloat(Number(value));
    case "BOOLEAN":
      return appender.appendBoolean(Boolean(value));
  }
}

/** Rows of one table, as column-name -> value getters over the records, without materialising row objects. */
export function* tableRows(name: TableSpec["name"], records: RunRecord[]): Generator<Record<string, Value>> {
  for (const record of records) {
    const run_id = record.run.run_id as string;
    if (name === "runs") yield record.run;
    else if (name === "checkpoints") for (const c of record.checkpoints) yield { run_id, ...c };
    else if (name === "losses") for (const l of record.losses) yield { run_id, ...l };
    else if (name === "neurons") {
      const n = record.neurons;
      for (let j = 0; j < n.bias.length; j++)
        yield {
          run_id,
          neuron: j,
          bias: n.bias[j],
          frac_mono: n.fracMono[j],
          top_feature: n.topFeature[j],
          top_activation: n.topActivation[j],
          is_mono: n.isMono[j] === 1,
          fired_on_data: n.firedOnData[j],
          kind: neuronKind(n, j),
        };
    } else {
      const s = record.sfa;
      for (let e = 0; e < s.neuron.length; e++) yield { run_id, neuron: s.neuron[e], feature: s.feature[e], activation: s.activation[e] };
    }
  }
}

async function createTable(connection: DuckDBConnection, spec: TableSpec): Promise<void> {
  const columns = spec.columns.map((c) => `"${c.name}" ${c.type}`).join(", ");
  await connection.run(`CREATE OR REPLACE TABLE "${spec.name}" (${columns})`);
}

async function fillTable(connection: DuckDBConnection, spec: TableSpec, records: RunRecord[]): Promise<void> {
  const appender = await connection.createAppender(spec.name);
  for (const row of tableRows(spec.name, records)) {
    for (const column of spec.columns) append(appender, column.type, row[column.name]);
    appender.endRow();
  }
  appender.closeSync();
}

/** Copy a table to a Parquet file; written to a temporary name and renamed, so a reader never sees half a file. */
async function copyToParquet(connection: DuckDBConnection, name: string, path: string, orderBy: string): Promise<void> {
  const temporary = `${path}.tmp`;
  // One row group per ~run keeps per-run reads cheap; ordering makes the output independent of completion order.
  await connection.run(
    `COPY (SELECT * FROM "${name}" ORDER BY ${orderBy}) TO '${temporary.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`,
  );
  renameSync(temporary, path);
}

/** The sort keys of every table: the writer and `npm run merge` order by them, so output is independent of run order. */
export const TABLE_ORDER: Record<TableSpec["name"], string> = {
  runs: "run_id",
  checkpoints: "run_id, step",
  losses: "run_id, step",
  neurons: "run_id, neuron",
  sfa: "run_id, neuron, feature",
};

/** Write the chosen tables of these records into `dir` as `<table>.parquet`. */
export async function writeTables(
  records: RunRecord[],
  dir: string,
  tables: TableSpec["name"][] = TABLES.map((t) => t.name),
): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const paths: string[] = [];
    for (const name of tables) {
      const spec = tableSpec(name);
      await createTable(connection, spec);
      await fillTable(connection, spec, records);
      const path = join(dir, `${name}.parquet`);
      await copyToParquet(connection, name, path, TABLE_ORDER[name]);
      await connection.run(`DROP TABLE "${name}"`);
      paths.push(path);
    }
    return paths;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** One table's rows as JSON-safe objects (the contract's columns only; NaN, infinities and missing values become
 * null), sorted as in Parquet by run id: what the narrative pages chart without DuckDB-WASM. */
export function tableJsonRows(records: RunRecord[], table: TableSpec["name"]): Record<string, string | number | boolean | null>[] {
  const columns = tableSpec(table).columns.map((c) => c.name);
  const rows = [...tableRows(table, records)].map((row) =>
    Object.fromEntries(
      columns.map((c) => {
        const v = row[c];
        return [c, v === undefined || (typeof v === "number" && !Number.isFinite(v)) ? null : v];
      }),
    ),
  );
  return rows.sort((a, b) => String(a.run_id).localeCompare(String(b.run_id)) || Number(a.step ?? 0) - Number(b.step ?? 0));
}

/** One table as Parquet bytes (for data loaders, which write their file to stdout). */
export async function tableToParquetBytes(records: RunRecord[], table: TableSpec["name"]): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), "mono-parquet-"));
  try {
    const [path] = await writeTables(records, dir, [table]);
    return readFileSync(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
