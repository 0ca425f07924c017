/**
 * The reader's own runs: every run the playground finishes is kept in this browser (localStorage), as a row of the
 * runs table's columns, with experiment and preset "playground". The Explorer adds them to its DuckDB-WASM runs table,
 * so the reader's runs and the sweep's sit in the same charts and downloads.
 */
export const READER_EXPERIMENT = "playground";
const STORE = "mono-playground-runs";

export type ReaderRow = Record<string, unknown>;

function stored(): ReaderRow[] {
  try {
    const rows = JSON.parse(localStorage.getItem(STORE) ?? "[]");
    return Array.isArray(rows) ? rows : [];
  } catch {
    return [];
  }
}

/** The stored runs, labelled as the reader's (none when storage is empty, unavailable or corrupt). */
export function readerRuns(): ReaderRow[] {
  return stored().map((r) => ({ ...r, experiment: READER_EXPERIMENT, preset: READER_EXPERIMENT }));
}

/** Keep a finished run as trained, replacing an earlier one of the same id (readerRuns labels it on the way out). */
export function saveReaderRun(row: ReaderRow): void {
  localStorage.setItem(STORE, JSON.stringify([...stored().filter((r) => r.run_id !== row.run_id), row]));
}

export function clearReaderRuns(): void {
  localStorage.removeItem(STORE);
}
