/** `--set key=value` parsing lives with the rest of the CLI validation; re-exported here for existing imports. */
export { OVERRIDABLE_FIELDS, parseOverride, parseOverrides, UsageError } from "./validate.js";
