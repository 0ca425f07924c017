// Observable Framework configuration. Everything is served from this site's own origin: no CDN, no web fonts.
export default {
  title: "Engineering Monosemanticity in Toy Models — a reproduction",
  root: "src",
  globalStylesheets: [],
  theme: ["air", "near-midnight"],
  pager: false,
  search: false,
};
