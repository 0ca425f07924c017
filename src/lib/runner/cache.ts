/**
 * Content-addressed run cache shared by the sweep CLI and the site's data loaders: a changed sweep recomputes only
 * the runs it has not seen, and a killed sweep resumes from the runs it finished (each is cached the moment it ends).
 *
 * - Key: SHA-256 of what a run's numbers depend on: the protocol version, the record format, the data contract's
 *   columns, the engine id and version, and the whole config (seed included), with the config's keys sorted.
 * - Entry: `<dir>/<key[0:2]>/<key>.bin` = 8-byte magic, SHA-256 of the payload, payload (a v8-serialised RunRecord).
 * - Writes are atomic: a temporary file (named by host, pid and random bytes, so concurrent writers on shared storage
 *   never collide) is written, fsynced and renamed over the entry. A reader sees the old entry, the new one, or none.
 * - A truncated, bit-flipped, foreign or unreadable entry fails the checksum or the shape check: it is deleted and
 *   the run is recomputed, never trusted.
 *
 * Measured (2 cores): reading 208 worst-case k=1024 entries (3.5 MB each, 300k non-zero single-feature activations)
 * takes about 1 s, so the site's loaders read whole entries; splitting summary and detail is not worth it.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import { deserialize, serialize } from "node:v8";
import type { RunConfig } from "../protocol/config.js";
import type { RunRecord } from "./record.js";
import { TABLES } from "./tables.js";

/** Bump when the protocol (data, metrics, schedule) changes in a way that changes numbers. */
export const PROTOCOL_VERSION = 2;
/** Bump when the shape of RunRecord changes (a new column, a renamed field). */
export const RECORD_FORMAT = 2;

const MAGIC = Buffer.from("MONORUN1", "latin1");
const CHECKSUM_BYTES = 32;
const HEADER_BYTES = MAGIC.length + CHECKSUM_BYTES;

/** The cache directory: MONO_CACHE_DIR, else `.cache/runs` under the working directory. Read at call time. */
export function defaultCacheDir(): string {
  const fromEnv = process.env.MONO_CACHE_DIR;
  return resolve(fromEnv !== undefined && fromEnv.trim() !== "" ? fromEnv : join(process.cwd(), ".cache", "runs"));
}

/**
 * The data contract's shape (table and column names and types, not descriptions): part of the key, so a record
 * cached before a column was added is recomputed rather than written with that column NULL.
 */
const CONTRACT = TABLES.map((t) => `${t.name}(${t.columns.map((c) => `${c.name} ${c.type}`).join(",")})`).join(";");

export function cacheKey(config: RunConfig, engine: { id: string; version: string }): string {
  const sorted = Object.fromEntries(Object.entries(config).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const identity = JSON.stringify({
    protocol: PROTOCOL_VERSION,
    record: RECORD_FORMAT,
    contract: CONTRACT,
    engine: `${engine.id}@${engine.version}`,
    config: sorted,
  });
  return createHash("sha256").update(identity).digest("hex");
}

/** A structural check of a deserialised record: a checksum-valid entry of another format must not be trusted. */
function isRunRecord(value: unknown): value is RunRecord {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Partial<RunRecord>;
  return (
    typeof r.run === "object" &&
    r.run !== null &&
    typeof r.run.run_id === "string" &&
    Array.isArray(r.checkpoints) &&
    Array.isArray(r.losses) &&
    r.neurons?.bias instanceof Float32Array &&
    r.neurons.fracMono instanceof Float32Array &&
    r.neurons.topFeature instanceof Int32Array &&
    r.neurons.topActivation instanceof Float32Array &&
    r.neurons.isMono instanceof Uint8Array &&
    r.neurons.firedOnData instanceof Int32Array &&
    r.weights?.w1 instanceof Float32Array &&
    r.weights.w2 instanceof Float32Array &&
    r.sfa?.neuron instanceof Int32Array &&
    r.sfa.feature instanceof Int32Array &&
    r.sfa.activation instanceof Float32Array &&
    r.sfa.neuron.length === r.sfa.feature.length &&
    r.sfa.neuron.length === r.sfa.activation.length
  );
}

export class RunCache {
  readonly dir: string;

  constructor(dir: string = defaultCacheDir()) {
    this.dir = resolve(dir);
  }

  /** Where the entry of `key` lives (exported for tests and tools). */
  path(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`not a cache key: "${key}"`);
    return join(this.dir, key.slice(0, 2), `${key}.bin`);
  }

  has(key: string): boolean {
    return this.get(key) !== null;
  }

  /** Whether an entry exists, without reading or validating it: cheap, for deciding what to train ahead of need (a
   * corrupt entry is found, deleted and retrained by the `get` of the sweep that needs it). */
  present(key: string): boolean {
    return existsSync(this.path(key));
  }

  /** The cached record, or null when absent, partial or corrupt (a corrupt entry is deleted). */
  get(key: string): RunRecord | null {
    const path = this.path(key);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      return null;
    }
    const valid =
      bytes.length > HEADER_BYTES &&
      bytes.subarray(0, MAGIC.length).equals(MAGIC) &&
      createHash("sha256").update(bytes.subarray(HEADER_BYTES)).digest().equals(bytes.subarray(MAGIC.length, HEADER_BYTES));
    if (valid) {
      try {
        const record = deserialize(bytes.subarray(HEADER_BYTES)) as unknown;
        if (isRunRecord(record)) return record;
      } catch {
        // fall through: unreadable payload (e.g. written by an incompatible Node version)
      }
    }
    rmSync(path, { force: true });
    return null;
  }

  set(key: string, record: RunRecord): void {
    const path = this.path(key);
    mkdirSync(dirname(path), { recursive: true });
    const payload = serialize(record);
    const checksum = createHash("sha256").update(payload).digest();
    const temporary = `${path}.${hostname()}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
    const fd = openSync(temporary, "w");
    try {
      for (const chunk of [MAGIC, checksum, payload]) {
        let written = 0;
        while (written < chunk.length) written += writeSync(fd, chunk, written, chunk.length - written);
      }
      fsyncSync(fd);
    } catch (error) {
      closeSync(fd);
      rmSync(temporary, { force: true });
      throw error;
    }
    closeSync(fd);
    renameSync(temporary, path);
  }

  /**
   * Remove temporary files left by writers that were killed mid-write. A write takes milliseconds, so anything
   * older than `olderThanMs` is garbage, even on storage shared with other machines. Returns how many were removed.
   */
  removeStaleTemporaries(olderThanMs = 60 * 60 * 1000): number {
    let removed = 0;
    let shards: string[];
    try {
      shards = readdirSync(this.dir);
    } catch {
      return 0;
    }
    const cutoff = Date.now() - olderThanMs;
    for (const shard of shards) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      let names: string[];
      try {
        names = readdirSync(join(this.dir, shard));
      } catch {
        continue;
      }
      for (const name of names) {
        if (!name.endsWith(".tmp")) continue;
        const path = join(this.dir, shard, name);
        try {
          if (statSync(path).mtimeMs < cutoff) {
            rmSync(path, { force: true });
            removed++;
          }
        } catch {
          // removed concurrently
        }
      }
    }
    return removed;
  }
}
