// Types for the modules Framework provides at build time and for htl 0.3 (which ships none).
declare module "observablehq:stdlib" {
  export function FileAttachment(name: string): {
    href: string;
    url(): Promise<string>;
    json(): Promise<unknown>;
    text(): Promise<string>;
    arrayBuffer(): Promise<ArrayBuffer>;
  };
}
declare module "htl" {
  export function html(strings: TemplateStringsArray, ...values: unknown[]): HTMLElement;
  export function svg(strings: TemplateStringsArray, ...values: unknown[]): SVGElement;
}
