#!/usr/bin/env node
/**
 * Post-build scan of dist/: fails (exit 1) when a page or module still imports a bare specifier (Framework only
 * logs a node import it could not bundle, and the page then fails in the browser), imports anything from another
 * host, or references Framework's npm CDN mirror or a web-font host. Run by `npm run build` after `observable build`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { init, parse } from "es-module-lexer";

const root = process.argv[2] ?? "dist";
await init;

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

const problems = [];
const isLocal = (s) => s.startsWith("./") || s.startsWith("../") || s.startsWith("/");

function checkSpecifiers(file, code) {
  let imports;
  try {
    [imports] = parse(code);
  } catch (error) {
    problems.push(`${file}: cannot parse as a module (${error.message})`);
    return;
  }
  for (const imp of imports) {
    if (imp.n === undefined) continue; // dynamic import of a computed expression
    if (imp.t === 3 /* import.meta */) continue;
    const s = imp.n;
    if (!isLocal(s)) problems.push(`${file}: unresolved or remote import "${s}"`);
  }
}

const INLINE_MODULE = /<script type="module"[^>]*>([\s\S]*?)<\/script>/g;
let files = 0;
for (const path of walk(root)) {
  const file = relative(root, path);
  if (file.startsWith("_npm/") || file.startsWith("_npm\\"))
    problems.push(`${file}: fetched from the npm CDN (an npm: import or implicit global)`);
  if (path.endsWith(".js")) {
    files++;
    checkSpecifiers(file, readFileSync(path, "utf8"));
  } else if (path.endsWith(".html")) {
    files++;
    const html = readFileSync(path, "utf8");
    for (const m of html.matchAll(INLINE_MODULE)) checkSpecifiers(`${file} (inline module)`, m[1]);
    for (const m of html.matchAll(/<(?:link|script)\b[^>]*(?:href|src)="([^"]+)"/g)) {
      if (/^(https?:)?\/\//.test(m[1])) problems.push(`${file}: loads ${m[1]} from another host`);
    }
    if (/fonts\.googleapis|_npm\//.test(html)) problems.push(`${file}: references Google Fonts or the npm CDN mirror`);
  }
}

if (problems.length) {
  process.stderr.write(`check-dist: ${problems.length} problem(s) in ${root}/:\n${problems.map((p) => `  ${p}`).join("\n")}\n`);
  process.exit(1);
}
process.stderr.write(`check-dist: ${files} files in ${root}/, no bare or remote imports\n`);
