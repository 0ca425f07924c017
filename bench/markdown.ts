/**
 * Prints a saved bench report (`npm run --silent bench -- --json > bench.json`) as the Markdown table of the README, so that
 * the README's numbers are the bench's own output: `npx tsx bench/markdown.ts bench.json`.
 */
import { readFileSync } from "node:fs";
import type { PeerRow } from "./peer.js";
import { formatKernels } from "./kernels.js";
import { formatMarkdown, type Row } from "./report.js";

const path = process.argv[2];
if (!path) {
  process.stderr.write("usage: npx tsx bench/markdown.ts <bench.json>\n");
  process.exit(2);
}
let report: { peers: Record<string, PeerRow | { error: string }>; rows: Row[] };
try {
  report = JSON.parse(readFileSync(path, "utf8"));
} catch (error) {
  process.stderr.write(
    `${path} is not a bench JSON report (${(error as Error).message}); write one with \`npm run --silent bench -- --json > ${path}\` (without --silent, npm prints its banner into the file)\n`,
  );
  process.exit(1);
}
process.stdout.write(`${formatMarkdown(report.rows, new Map(Object.entries(report.peers)))}\n`);
if (report.rows.some((r) => r.kernels?.length)) process.stdout.write(`\n${formatKernels(report.rows, true)}\n`);
