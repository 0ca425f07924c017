/** Experiment SAE1's output: the rows of ./sae.ts's runner as sae.parquet (the SAE_TABLE contract), to a file or as bytes. */
import { DuckDBInstance, type DuckDBAppender } from "@duckdb/node-api";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { SaeRow } from "./sae.js";
import { SAE_TABLE, type ColumnType } from "./tables.js";

function append(appender: DuckDBAppender, type: ColumnType, value: unknown): void {
  if (value === null || value === undefined || (typeof value === "number" && !Number.isFinite(value) && type !== "DOUBLE"))
    return appender.appendNull();
  if (type === "VARCHAR") return appender.appendVarchar(String(value));
  if (type === "INTEGER") return appender.appendInteger(Number(value));
  if (type === "DOUBLE") return appender.appendDouble(Number(value));
  if (type === "FLOAT") return appender.appendFloat(Number(value));
  return appender.appendBoolean(Boolean(value));
}

/** Write sae.parquet (the SAE_TABLE contract) at `path`, ordered by run_id. */
export async function writeSaeParquet(rows: SaeRow[], path: string): Promise<string> {
  mkdirSync(dirname(path), { recursive: true });
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run(`CREATE TABLE sae (${SAE_TABLE.columns.map((c) => `"${c.name}" ${c.type}`).join(", ")})`);
    const appender = await connection.createAppender("sae");
    for (const row of rows) {
      for (const column of SAE_TABLE.columns) append(appender, column.type, row[column.name]);
      appender.endRow();
    }
    appender.closeSync();
    const temporary = `${path}.tmp`;
    await connection.run(
      `COPY (SELECT * FROM sae ORDER BY run_id) TO '${temporary.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`,
    );
    renameSync(temporary, path);
    return path;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** sae.parquet as bytes (for the site's data loader). */
export async function saeParquetBytes(rows: SaeRow[]): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), "mono-sae-"));
  try {
    return readFileSync(await writeSaeParquet(rows, join(dir, "sae.parquet")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
