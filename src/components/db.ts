/**
 * The site's one DuckDB-WASM client. Everything comes from this site's own origin (node_modules, bundled by
 * Framework): the EH bundle of DuckDB-WASM, its worker (started as a module worker) and parquet-wasm. Parquet files
 * are decoded by parquet-wasm into an Arrow IPC stream and inserted with insertArrowFromIPCStream, so DuckDB never
 * needs its Parquet extension (which it would download from an extension host).
 */
import * as duckdb from "@duckdb/duckdb-wasm";
import type { Table } from "apache-arrow";
import initParquet, { readParquet } from "parquet-wasm/esm";

const DUCKDB_WASM = import.meta.resolve("@duckdb/duckdb-wasm/dist/duckdb-eh.wasm");
const DUCKDB_WORKER = import.meta.resolve("@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js");
const PARQUET_WASM = import.meta.resolve("parquet-wasm/esm/parquet_wasm_bg.wasm");

export type Row = Record<string, unknown>;

let database: Promise<duckdb.AsyncDuckDB> | null = null;
let connection: Promise<duckdb.AsyncDuckDBConnection> | null = null;
let parquetReady: Promise<unknown> | null = null;
const tables = new Map<string, Promise<void>>();
const listeners = new Set<(state: LoadState) => void>();

export interface LoadState {
  phase: "idle" | "starting" | "loading" | "ready" | "error";
  detail: string;
}
let state: LoadState = { phase: "idle", detail: "" };
function setState(next: LoadState) {
  state = next;
  for (const listener of listeners) listener(state);
}
export function onLoadState(listener: (s: LoadState) => void): () => void {
  listeners.add(listener);
  listener(state);
  return () => listeners.delete(listener);
}

function startDatabase(): Promise<duckdb.AsyncDuckDB> {
  database ??= (async () => {
    setState({ phase: "starting", detail: "starting DuckDB-WASM" });
    const worker = new Worker(DUCKDB_WORKER, { type: "module" });
    const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
    await db.instantiate(DUCKDB_WASM);
    await db.open({ query: { castBigIntToDouble: true } });
    return db;
  })();
  return database;
}

function connect(): Promise<duckdb.AsyncDuckDBConnection> {
  connection ??= startDatabase().then((db) => db.connect());
  return connection;
}

/** Table names are identifiers we choose, never data: check them anyway. */
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Make `name` a table holding the Parquet file at `url` (fetched, decoded by parquet-wasm, inserted as Arrow IPC).
 * Loads once per name; concurrent callers share the load.
 */
export function loadTable(name: string, url: string): Promise<void> {
  if (!IDENTIFIER.test(name)) throw new Error(`invalid table name ${JSON.stringify(name)}`);
  let loading = tables.get(name);
  if (!loading) {
    loading = (async () => {
      parquetReady ??= initParquet({ module_or_path: PARQUET_WASM });
      const [conn, response] = await Promise.all([connect(), fetch(url), parquetReady]);
      setState({ phase: "loading", detail: `loading ${name}` });
      if (!response.ok) throw new Error(`fetching ${url}: HTTP ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const ipc = readParquet(bytes).intoIPCStream();
      await conn.insertArrowFromIPCStream(ipc, { name, create: true });
      setState({ phase: "ready", detail: `${name} loaded` });
    })();
    loading.catch((error) => {
      tables.delete(name);
      setState({ phase: "error", detail: String(error) });
    });
    tables.set(name, loading);
  }
  return loading;
}

/**
 * Append rows (an Arrow table with a subset of the table's columns, e.g. the reader's own runs) to a loaded table,
 * matching columns by name. Values go in as Arrow data, never as SQL text.
 */
export async function appendRows(name: string, rows: Table): Promise<void> {
  if (!IDENTIFIER.test(name)) throw new Error(`invalid table name ${JSON.stringify(name)}`);
  await tables.get(name);
  const conn = await connect();
  const staging = `${name}_appended`;
  await conn.insertArrowTable(rows, { name: staging, create: true });
  await conn.query(`INSERT INTO ${name} BY NAME SELECT * FROM ${staging}`);
  await conn.query(`DROP TABLE ${staging}`);
}

/** Run SQL (built only by ./sql.ts from whitelisted identifiers and numbers) and return plain objects. */
export async function query(sql: string): Promise<Row[]> {
  const conn = await connect();
  const result = await conn.query(sql);
  return result.toArray().map((row: { toJSON(): Row }) => ({ ...row.toJSON() }));
}

/** The versions the chain page reports. */
export async function versions(): Promise<{ duckdb: string }> {
  const db = await startDatabase();
  return { duckdb: await db.getVersion() };
}
