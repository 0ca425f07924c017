/**
 * Strict input validation for the command-line tools, with zod. Every message has one shape,
 *
 *     <field>: got <value>, expected <what is allowed>
 *
 * so a mistyped flag is refused with the field, the value and the rule, before anything is trained or written.
 */
import { z } from "zod";
import { PRESET_IDS, PRESETS } from "../experiments/presets.js";
import { EXPERIMENTS, GRIDS } from "../experiments/table1.js";
import { ALL_EXPERIMENT_IDS } from "../experiments/beyond.js";
import { RunConfigSchema } from "../protocol/config.js";

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const got = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value) : String(value));

export const refusal = (field: string, value: unknown, expected: string): string => `${field}: got ${got(value)}, expected ${expected}`;

/** Throw one UsageError listing every issue of a failed zod parse (their messages are already in our shape). */
export function usageErrorFrom(error: z.ZodError): UsageError {
  return new UsageError(error.issues.map((i) => i.message).join("\n"));
}

/** Text of a whole number >= min (no sign, no decimals, no exponent), as a number. */
export function integerText(field: string, min: number) {
  const expected = `an integer >= ${min}`;
  return z
    .string({ error: (issue) => refusal(field, issue.input, expected) })
    .refine((t) => /^\d+$/.test(t.trim()) && Number.isSafeInteger(Number(t)) && Number(t) >= min, {
      error: (issue) => refusal(field, issue.input, expected),
    })
    .transform((t) => Number(t));
}

/** Text of a finite decimal number > 0 (e.g. minutes), as a number. */
export function positiveNumberText(field: string, what = "a number") {
  const expected = `${what} > 0`;
  return z
    .string({ error: (issue) => refusal(field, issue.input, expected) })
    .refine((t) => /^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t.trim()) && Number.isFinite(Number(t)) && Number(t) > 0, {
      error: (issue) => refusal(field, issue.input, expected),
    })
    .transform((t) => Number(t));
}

/** `--shard i/n`: the i-th of n parts, 1 <= i <= n. */
export function shardText(field = "--shard") {
  const expected = "i/n with integers 1 <= i <= n (e.g. 1/4)";
  return z
    .string({ error: (issue) => refusal(field, issue.input, expected) })
    .refine(
      (t) => {
        const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(t);
        if (!match) return false;
        const [i, n] = [Number(match[1]), Number(match[2])];
        return Number.isSafeInteger(i) && Number.isSafeInteger(n) && i >= 1 && i <= n;
      },
      { error: (issue) => refusal(field, issue.input, expected) },
    )
    .transform((t) => {
      const [i, n] = t.split("/").map((s) => Number(s.trim()));
      return { index: i, count: n };
    });
}

export function choiceText<const T extends readonly [string, ...string[]]>(field: string, values: T) {
  return z.enum(values, { error: (issue) => refusal(field, issue.input, `one of ${values.join(", ")}`) });
}

// ---------------------------------------------------------------------------------------------------------------
// --set key=value

type FieldShape =
  | { kind: "enum"; values: string[] }
  | { kind: "integer" | "number"; min?: number; exclusiveMin?: number; max?: number; exclusiveMax?: number };

const CONFIG_FIELDS = RunConfigSchema.shape as Record<string, z.ZodType>;
export const OVERRIDABLE_FIELDS = Object.keys(CONFIG_FIELDS);

/** What a config field accepts, read from its zod schema (through JSON Schema), so the messages never drift. */
function fieldShape(field: string): FieldShape {
  const json = z.toJSONSchema(CONFIG_FIELDS[field]) as {
    type?: string;
    enum?: string[];
    minimum?: number;
    exclusiveMinimum?: number;
    maximum?: number;
    exclusiveMaximum?: number;
  };
  if (json.enum) return { kind: "enum", values: json.enum };
  const big = (v: number | undefined) => (v !== undefined && Math.abs(v) >= Number.MAX_SAFE_INTEGER ? undefined : v);
  return {
    kind: json.type === "integer" ? "integer" : "number",
    min: big(json.minimum),
    exclusiveMin: big(json.exclusiveMinimum),
    max: big(json.maximum),
    exclusiveMax: big(json.exclusiveMaximum),
  };
}

/** "an integer > 0", "a number in (0, 1]", "one of relu, gelu, xexp", ... */
export function allowedValues(field: string): string {
  const shape = fieldShape(field);
  if (shape.kind === "enum") return `one of ${shape.values.join(", ")}`;
  const noun = shape.kind === "integer" ? "an integer" : "a finite number";
  const low =
    shape.exclusiveMin !== undefined
      ? { v: shape.exclusiveMin, open: true }
      : shape.min !== undefined
        ? { v: shape.min, open: false }
        : null;
  const high =
    shape.exclusiveMax !== undefined
      ? { v: shape.exclusiveMax, open: true }
      : shape.max !== undefined
        ? { v: shape.max, open: false }
        : null;
  if (low && high) return `${noun} in ${low.open ? "(" : "["}${low.v}, ${high.v}${high.open ? ")" : "]"}`;
  if (low) return `${noun} ${low.open ? ">" : ">="} ${low.v}`;
  if (high) return `${noun} ${high.open ? "<" : "<="} ${high.v}`;
  return noun;
}

const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** One `--set key=value`, checked against the config schema. */
export function parseOverride(text: string): [string, string | number] {
  const match = /^\s*([A-Za-z_0-9]+)\s*=(.*)$/.exec(text);
  if (!match) throw new UsageError(refusal("--set", text, `key=value with key one of ${OVERRIDABLE_FIELDS.join(", ")}`));
  const [, key, rawValue] = match;
  const raw = rawValue.trim();
  if (!Object.hasOwn(CONFIG_FIELDS, key)) throw new UsageError(refusal("--set", text, `a key among ${OVERRIDABLE_FIELDS.join(", ")}`));
  const field = `--set ${key}`;
  const shape = fieldShape(key);
  if (raw === "") throw new UsageError(refusal(field, raw, allowedValues(key)));
  const value = shape.kind === "enum" ? raw : NUMBER_TEXT.test(raw) ? Number(raw) : Number.NaN;
  if (typeof value === "number" && Number.isNaN(value)) throw new UsageError(refusal(field, raw, allowedValues(key)));
  if (!CONFIG_FIELDS[key].safeParse(value).success)
    throw new UsageError(refusal(field, shape.kind === "enum" ? raw : value, allowedValues(key)));
  return [key, value];
}

/** Every `--set`, in order; a field set twice to different values is refused. */
export function parseOverrides(texts: string[]): Record<string, string | number> {
  const result: Record<string, string | number> = {};
  for (const text of texts) {
    const [key, value] = parseOverride(text);
    if (Object.hasOwn(result, key) && result[key] !== value)
      throw new UsageError(refusal(`--set ${key}`, `${result[key]} and ${value}`, "one value per field"));
    result[key] = value;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// --experiment

// Table 1 ids, then the experiments beyond the paper (GBA1, SAE1), which "all" does not include.
export const EXPERIMENT_IDS: string[] = [...ALL_EXPERIMENT_IDS];

/** `list`, `all`, or comma-separated Table 1 ids, each once. */
export function parseExperiments(text: string): "list" | "all" | string[] {
  const expected = `"list", "all" or comma-separated ids among ${EXPERIMENT_IDS.join(", ")}`;
  const trimmed = text.trim();
  if (trimmed === "list" || trimmed === "all") return trimmed;
  const ids = trimmed.split(",").map((s) => s.trim());
  const unknown = ids.filter((id) => !EXPERIMENT_IDS.includes(id));
  if (trimmed === "" || unknown.length > 0)
    throw new UsageError(refusal("--experiment", unknown.length > 0 && ids.length > 1 ? unknown.join(",") : text, expected));
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new UsageError(refusal("--experiment", text, `each id once (${twice} is listed twice)`));
  return ids;
}

// ---------------------------------------------------------------------------------------------------------------
// The catalogue: presets and experiments are code, but checked like input, so a bad edit fails loudly and early.

const GridsSchema = z.partialRecord(z.enum(Object.keys(GRIDS) as (keyof typeof GRIDS)[]), z.array(z.number()).min(1));

const PresetSchema = z
  .object({
    id: z.enum(PRESET_IDS),
    description: z.string().min(1),
    steps: z.number().int().positive(),
    batch: z.number().int().positive(),
    seeds: z.number().int().positive(),
    batchFromWidth: z.boolean().optional(),
    scaleDecay: z.boolean(),
    gridStride: z.number().int().positive(),
    strideFor: z.record(z.string(), z.number().int().positive()).optional(),
    grids: GridsSchema.optional(),
    focus: z
      .object({
        experiments: z.array(z.string()).min(1),
        seeds: z.number().int().positive(),
        steps: z.number().int().positive(),
        batch: z.number().int().positive(),
        grids: GridsSchema.optional(),
        decayTimes: z.number().positive().optional(),
        firstSeed: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const SWEPT = Object.keys(GRIDS) as (keyof typeof GRIDS)[];

const ExperimentSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9-]+$/),
    title: z.string().min(1),
    base: z.object(Object.fromEntries(Object.entries(CONFIG_FIELDS).filter(([f]) => !["batch", "steps", "seed"].includes(f)))).strict(),
    sweep: z.partialRecord(z.enum(SWEPT), z.array(z.number()).min(1)),
  })
  .strict()
  .superRefine((e, ctx) => {
    for (const [field, values] of Object.entries(e.sweep) as [string, number[]][])
      for (const v of values)
        if (!CONFIG_FIELDS[field].safeParse(v).success)
          ctx.addIssue({ code: "custom", path: ["sweep", field], message: refusal(`sweep ${field}`, v, allowedValues(field)) });
  });

/** Check every preset and experiment against the schemas; throws with every problem found. */
export function validateCatalogue(): void {
  const problems: string[] = [];
  for (const [id, preset] of Object.entries(PRESETS)) {
    const result = PresetSchema.safeParse(preset);
    if (!result.success) problems.push(...result.error.issues.map((i) => `preset ${id}: ${i.path.join(".")}: ${i.message}`));
    else if (preset.id !== id) problems.push(`preset ${id}: id is "${preset.id}"`);
  }
  const seen = new Set<string>();
  for (const experiment of EXPERIMENTS) {
    const result = ExperimentSchema.safeParse(experiment);
    if (!result.success) problems.push(...result.error.issues.map((i) => `experiment ${experiment.id}: ${i.path.join(".")}: ${i.message}`));
    if (seen.has(experiment.id)) problems.push(`experiment ${experiment.id}: id used twice`);
    seen.add(experiment.id);
  }
  if (problems.length > 0) throw new Error(`the experiment catalogue is invalid:\n${problems.join("\n")}`);
}
