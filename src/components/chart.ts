/**
 * Rendering of Vega-Lite specs (built by the pure functions in ./specs.ts) through vega-embed, imported from
 * node_modules. Canvas renderer; colours follow the page's light or dark theme.
 */
import embed from "vega-embed";
import { expressionInterpreter } from "vega-interpreter";

export interface ChartOptions {
  /** Accessible description of the figure. */
  ariaLabel: string;
}

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

/** Vega config matching the current theme (Framework's air / near-midnight switch on prefers-color-scheme). */
export function themeConfig(): Record<string, unknown> {
  const fg = cssVar("--theme-foreground", "#1b1e23");
  const muted = cssVar("--theme-foreground-muted", "#6d6d6d");
  const faint = cssVar("--theme-foreground-faintest", "#e6e6e6");
  const font = getComputedStyle(document.body).fontFamily || "sans-serif";
  const axis = {
    labelColor: muted,
    titleColor: fg,
    domainColor: muted,
    tickColor: muted,
    gridColor: faint,
    labelFont: font,
    titleFont: font,
    titleFontWeight: 600,
  };
  return {
    background: null,
    font,
    axis,
    legend: { labelColor: fg, titleColor: fg, labelFont: font, titleFont: font, titleLimit: 240, labelLimit: 240 },
    title: { color: fg, font, subtitleColor: muted },
    header: { labelColor: fg, titleColor: fg },
    view: { stroke: null },
    text: { color: fg },
  };
}

export interface RenderedChart {
  element: HTMLElement;
  view: { finalize(): void; width(): number; height(): number };
}

/** Render a spec into a new element (role img, labelled). Resolves once the view has drawn. */
export async function renderChart(spec: Record<string, unknown>, options: ChartOptions): Promise<HTMLElement> {
  const element = document.createElement("div");
  element.className = "chart";
  element.setAttribute("role", "img");
  element.setAttribute("aria-label", options.ariaLabel);
  const result = await embed(element, spec as never, {
    renderer: "canvas",
    actions: false,
    config: themeConfig() as never,
    tooltip: { theme: "custom" },
    // Vega's expressions are interpreted, not compiled with the Function constructor: no eval (CSP-safe).
    ast: true,
    expr: expressionInterpreter as never,
  });
  const canvas = element.querySelector("canvas");
  canvas?.setAttribute("aria-hidden", "true");
  (element as HTMLElement & { __view?: unknown }).__view = result.view;
  return element;
}
