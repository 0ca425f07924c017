/**
 * Rows of the runs table as a Parquet file made in the browser: an Arrow table typed by the data contract
 * (lib/runner/tables.ts: the same column names and types as the build's runs.parquet), written by parquet-wasm.
 * parquet-wasm's 5 MB module loads on the first download, from this site's origin.
 */
import { Bool, Float32, Float64, Int32, Table, Utf8, tableToIPC, vectorFromArray, type DataType } from "apache-arrow";
import initParquet, { Table as ParquetTable, writeParquet } from "parquet-wasm/esm";
import { tableSpec, type ColumnType } from "../lib/runner/tables.js";
import { toCsv } from "./explorer.js";

const PARQUET_WASM = import.meta.resolve("parquet-wasm/esm/parquet_wasm_bg.wasm");
let ready: Promise<unknown> | null = null;

const ARROW_TYPE: Record<ColumnType, () => DataType> = {
  VARCHAR: () => new Utf8(),
  INTEGER: () => new Int32(),
  DOUBLE: () => new Float64(),
  FLOAT: () => new Float32(),
  BOOLEAN: () => new Bool(),
};

/** A value as its column type holds it; anything that does not fit becomes null. */
function cellValue(value: unknown, type: ColumnType): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (type === "VARCHAR") return String(value);
  if (type === "BOOLEAN") return typeof value === "boolean" ? value : null;
  const n = Number(value);
  if (type === "INTEGER") return Number.isInteger(n) ? n : null;
  return typeof value === "number" || Number.isFinite(n) ? n : null;
}

/** The rows as an Arrow table with every column of the runs table (columns a row lacks are null). */
export function runsArrowTable(rows: Record<string, unknown>[]): Table {
  const vectors = Object.fromEntries(
    tableSpec("runs").columns.map((c) => [
      c.name,
      vectorFromArray(rows.map((r) => cellValue(r[c.name], c.type)) as never[], ARROW_TYPE[c.type]()),
    ]),
  );
  return new Table(vectors);
}

/** Parquet bytes of the rows (zstd-free defaults of parquet-wasm; DuckDB and pandas read them). */
export async function runsToParquet(rows: Record<string, unknown>[]): Promise<Uint8Array> {
  ready ??= initParquet({ module_or_path: PARQUET_WASM });
  await ready;
  return writeParquet(ParquetTable.fromIPCStream(tableToIPC(runsArrowTable(rows), "stream")));
}

/** Save text or bytes as a file through a temporary link. */
export function saveFile(bytes: string | Uint8Array, filename: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Buttons that download the rows as CSV or as Parquet (made when clicked, from the rows given). */
export function downloadButtons(rows: Record<string, unknown>[], basename: string, what = `these ${rows.length} rows`): HTMLElement {
  const csv = document.createElement("button");
  csv.type = "button";
  csv.id = "download-csv";
  csv.textContent = `Download ${what} as CSV`;
  csv.onclick = () => saveFile(toCsv(rows), `${basename}.csv`, "text/csv");
  const parquet = document.createElement("button");
  parquet.type = "button";
  parquet.id = "download-parquet";
  parquet.textContent = "… or as Parquet";
  parquet.onclick = async () => {
    parquet.disabled = true;
    try {
      saveFile(await runsToParquet(rows), `${basename}.parquet`, "application/vnd.apache.parquet");
    } finally {
      parquet.disabled = false;
    }
  };
  const p = document.createElement("p");
  p.className = "downloads-inline";
  p.append(csv, " ", parquet);
  return p;
}
