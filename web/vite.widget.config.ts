import { defineConfig } from "vite";

// The embeddable chat widget: one self-contained IIFE, web/dist/widget.js, served by
// `flowdesk serve` at /widget.js. Built after the console, whose build empties web/dist.
export default defineConfig({
  publicDir: false,
  build: {
    outDir: "dist",
    emptyOutDir: false,
    sourcemap: false,
    target: "es2022",
    minify: true,
    lib: {
      entry: "widget/main.ts",
      name: "FlowdeskWidget",
      formats: ["iife"],
      fileName: () => "widget.js",
    },
  },
});
