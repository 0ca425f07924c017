import { z } from "zod";
import { RunConfigSchema, type RunConfig } from "../protocol/config.js";

/** Parsing and checking `--set key=value`: the key must be a config field and the value must fit that field. */

const FIELDS: Record<string, z.ZodType> = RunConfigSchema.shape;
export const OVERRIDABLE_FIELDS = Object.keys(FIELDS);

export class UsageError extends Error {}

function describeIssue(field: string, value: unknown, issue: z.core.$ZodIssue): string {
  return `--set ${field}=${String(value)}: ${issue.message}`;
}

export function parseOverride(text: string): [keyof RunConfig, string | number] {
  const match = /^([a-z_0-9]+)=(.+)$/.exec(text);
  if (!match) throw new UsageError(`--set expects key=value, got "${text}" (keys: ${OVERRIDABLE_FIELDS.join(", ")})`);
  const [, key, raw] = match;
  const field = FIELDS[key as keyof typeof FIELDS] as z.ZodType | undefined;
  if (!field) throw new UsageError(`--set ${key}: unknown field (allowed: ${OVERRIDABLE_FIELDS.join(", ")})`);
  const numeric = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  const isEnum = ["task", "activation", "sampler"].includes(key);
  const value = isEnum ? raw : numeric;
  if (!isEnum && Number.isNaN(value)) throw new UsageError(`--set ${key}=${raw}: not a number`);
  const result = field.safeParse(value);
  if (!result.success) throw new UsageError(describeIssue(key, raw, result.error.issues[0]));
  return [key as keyof RunConfig, value];
}

export function parseOverrides(texts: string[]): Partial<RunConfig> {
  return Object.fromEntries(texts.map(parseOverride)) as Partial<RunConfig>;
}
