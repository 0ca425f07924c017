// Observable Framework configuration. Everything is served from this site's own origin: no CDN, no web fonts.
export default {
  title: "Monosemanticity in toy models",
  root: "src",
  // No Google Fonts: the stylesheet below uses system fonts only.
  globalStylesheets: [],
  style: "style.css",
  pages: [
    { name: "Model and metric", path: "/model" },
    { name: "Learning rate", path: "/learning-rate" },
    { name: "Initial bias", path: "/initial-bias" },
    { name: "Sparsity and bias decay", path: "/sparsity" },
    { name: "Width", path: "/width" },
    { name: "Other tasks and L1", path: "/other-tasks" },
    { name: "Mechanism", path: "/mechanism" },
    { name: "Beyond the paper: adaptive biases", path: "/beyond" },
    { name: "The paper's regime: batch and noise scale", path: "/regime" },
    { name: "Explorer", path: "/explorer" },
    { name: "Playground", path: "/playground" },
    { name: "Reproduce", path: "/reproduce" },
    { name: "The data chain", path: "/chain" },
  ],
  // An empty inline icon: browsers then do not request /favicon.ico.
  head: '<link rel="icon" href="data:,">',
  pager: false,
  search: false,
  toc: true,
  footer: "A reproduction of Jermyn, Schiefer & Hubinger (2022). Every figure and verdict is recomputed by <code>npm run build</code>.",
};
