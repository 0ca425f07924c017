/**
 * The reader's own runs: every run the playground finishes is kept in this browser (localStorage), as a row of the
 * runs table's columns, with experiment and preset "playground". The Explorer adds them to its DuckDB-WASM runs table,
 * so the reader's runs and the sweep's sit in the same charts and downloads.
 */
export const READER_EXPERIMENT = "playground";
const STORE = "mono-playground-runs";

export type ReaderRow = Record<string, unknown>;

/** The stored runs (none when storage is empty, unavailable or corrupt). */
export function readerRuns(): ReaderRow[] {
  try {
    const rows = JSON.parse(localStorage.getItem(STORE) ?? "[]");
    return Array.isArray(rows) ? rows.map((r) => ({ ...r, experiment: READER_EXPERIMENT, preset: READER_EXPERIMENT })) : [];
  } catch {
    return [];
  }
}

/** Keep a finished run, replacing an earlier one of the same id. */
export function saveReaderRun(row: ReaderRow): void {
  const rest = readerRuns().filter((r) => r.run_id !== row.run_id);
  localStorage.setItem(STORE, JSON.stringify([...rest, { ...row, experiment: READER_EXPERIMENT, preset: READER_EXPERIMENT }]));
}

export function clearReaderRuns(): void {
  localStorage.removeItem(STORE);
}
