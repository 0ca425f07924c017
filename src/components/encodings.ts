/**
 * The site's one colour and shape map: every figure that tells experiments (or GBA1 variants) apart takes its
 * scales from here, so LR3 has the same colour and marker on every page. Shape says the family (LR, B, E, K, and
 * one each for the single-row experiments), colour tells the rows of a family apart: 8 colours cannot separate 21
 * experiments alone, the (shape, colour) pair can. The experiment list comes from the library's Table 1, not a copy.
 */
import { EXPERIMENTS } from "../lib/experiments/table1.js";
import { GBA1 } from "../lib/experiments/beyond.js";

/** Okabe & Ito (2008), the colour-blind-safe categorical palette, minus black; ordered so that the first colours
 * contrast well on both light and dark backgrounds (yellow comes late). */
export const OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#999999", "#F0E442"];

export type Spec = Record<string, unknown>;

/** Table 1's ids in the paper's order. */
export const EXPERIMENT_ORDER: readonly string[] = EXPERIMENTS.map((e) => e.id);

/** The family of an experiment id (B3-GeLU is its own family: another activation). */
export function familyOf(id: string): string {
  if (id === "B3-GeLU") return "GeLU (B3-GeLU)";
  if (/^LR\d/.test(id)) return "learning rate (LR)";
  if (/^B\d/.test(id)) return "initial bias (B)";
  if (/^E\d/.test(id)) return "sparsity (E)";
  if (/^K\d/.test(id)) return "width (K)";
  if (id === "RG1") return "L1 (RG1)";
  if (id === "RP1") return "re-projector (RP1)";
  if (id === "D1") return "bias decay (D1)";
  return id;
}

/** Families in order of first appearance in Table 1. */
export const FAMILY_ORDER: readonly string[] = [...new Set(EXPERIMENT_ORDER.map(familyOf))];

/** Vega-Lite's built-in marker shapes, one per family. */
const SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "triangle-right", "wedge", "stroke"];
export const FAMILY_SHAPE: Record<string, string> = Object.fromEntries(FAMILY_ORDER.map((f, i) => [f, SHAPES[i % SHAPES.length]]));

/** Colour of each experiment: its rank inside its family picks an Okabe-Ito colour. */
export const EXPERIMENT_COLOUR: Record<string, string> = (() => {
  const rank = new Map<string, number>();
  const out: Record<string, string> = {};
  for (const id of EXPERIMENT_ORDER) {
    const f = familyOf(id);
    const r = rank.get(f) ?? 0;
    rank.set(f, r + 1);
    out[id] = OKABE_ITO[r % OKABE_ITO.length];
  }
  return out;
})();
export const EXPERIMENT_SHAPE: Record<string, string> = Object.fromEntries(EXPERIMENT_ORDER.map((id) => [id, FAMILY_SHAPE[familyOf(id)]]));

/** Vega-Lite colour and shape channels for a field holding experiment ids (fixed domain: same colour everywhere). */
export function experimentChannels(field = "experiment", title = "experiment"): { color: Spec; shape: Spec } {
  return {
    color: {
      field,
      type: "nominal",
      title,
      scale: { domain: [...EXPERIMENT_ORDER], range: EXPERIMENT_ORDER.map((id) => EXPERIMENT_COLOUR[id]) },
    },
    shape: {
      field,
      type: "nominal",
      title,
      scale: { domain: [...EXPERIMENT_ORDER], range: EXPERIMENT_ORDER.map((id) => EXPERIMENT_SHAPE[id]) },
    },
  };
}

/** Colour and shape channels for a field holding family names (the home page's overview). */
export function familyChannels(field = "family", title = "family"): { color: Spec; shape: Spec } {
  return {
    color: {
      field,
      type: "nominal",
      title,
      scale: { domain: [...FAMILY_ORDER], range: FAMILY_ORDER.map((_, i) => OKABE_ITO[i % OKABE_ITO.length]) },
    },
    shape: { field, type: "nominal", title, scale: { domain: [...FAMILY_ORDER], range: FAMILY_ORDER.map((f) => FAMILY_SHAPE[f]) } },
  };
}

/** GBA1's variants in the order the library lists them; colour by rank, and a dash for the gba-rn family. */
export const VARIANT_ORDER: readonly string[] = (GBA1.variants ?? []).map((v) => v.name);
/** Vega-Lite colour and shape channels for GBA1's variants: (colour, shape) pairs distinct for up to 8 × 3. */
export function variantChannels(field = "variant", title = "variant"): { color: Spec; shape: Spec } {
  const groupOf = (name: string) => (name.startsWith("gba-rn") ? "gba-rn" : name.startsWith("gba") ? "gba" : "paper");
  const shapeOf = (name: string) => ({ "gba-rn": "diamond", gba: "square", paper: "circle" })[groupOf(name)];
  // Colour by rank inside the group, so that no two variants share both colour and shape.
  const seen = new Map<string, number>();
  const colours = VARIANT_ORDER.map((name) => {
    const r = seen.get(groupOf(name)) ?? 0;
    seen.set(groupOf(name), r + 1);
    return OKABE_ITO[r % OKABE_ITO.length];
  });
  return {
    color: { field, type: "nominal", title, scale: { domain: [...VARIANT_ORDER], range: colours } },
    shape: { field, type: "nominal", title, scale: { domain: [...VARIANT_ORDER], range: VARIANT_ORDER.map(shapeOf) } },
  };
}
