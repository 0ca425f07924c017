import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { deserialize, serialize } from "node:v8";
import type { RunConfig } from "../protocol/config.js";
import type { RunRecord } from "./record.js";

/**
 * Content-addressed run cache shared by the sweep CLI and the site's data loaders: a changed sweep recomputes only
 * the runs it has not seen. The key hashes what a run's numbers depend on: the protocol version, the engine and its
 * version, and the config (seed included). Entries are written atomically (temporary file, then rename) and carry a
 * SHA-256 of their payload, so a partial or corrupted entry is detected and recomputed, never trusted.
 */

/** Bump when the protocol (data, metrics, schedule) changes in a way that changes numbers. */
export const PROTOCOL_VERSION = 1;

export const DEFAULT_CACHE_DIR = resolve(process.env.MONO_CACHE_DIR ?? join(process.cwd(), ".cache", "runs"));

export function cacheKey(config: RunConfig, engine: { id: string; version: string }): string {
  const sorted = Object.fromEntries(Object.entries(config).sort(([a], [b]) => a.localeCompare(b)));
  const identity = JSON.stringify({ protocol: PROTOCOL_VERSION, engine: `${engine.id}@${engine.version}`, config: sorted });
  return createHash("sha256").update(identity).digest("hex");
}

const CHECKSUM_BYTES = 32;

export class RunCache {
  constructor(readonly dir: string = DEFAULT_CACHE_DIR) {}

  private path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.bin`);
  }

  /** The cached record, or null when absent, partial or corrupt (a corrupt entry is deleted). */
  get(key: string): RunRecord | null {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.path(key));
    } catch {
      return null;
    }
    const payload = bytes.subarray(CHECKSUM_BYTES);
    const expected = bytes.subarray(0, CHECKSUM_BYTES);
    const actual = createHash("sha256").update(payload).digest();
    if (bytes.length <= CHECKSUM_BYTES || !actual.equals(expected)) {
      rmSync(this.path(key), { force: true });
      return null;
    }
    try {
      return deserialize(payload) as RunRecord;
    } catch {
      rmSync(this.path(key), { force: true });
      return null;
    }
  }

  set(key: string, record: RunRecord): void {
    const path = this.path(key);
    mkdirSync(dirname(path), { recursive: true });
    const payload = serialize(record);
    const checksum = createHash("sha256").update(payload).digest();
    const temporary = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(temporary, Buffer.concat([checksum, payload]));
    renameSync(temporary, path);
  }
}
