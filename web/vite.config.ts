import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The console is served by `flowdesk serve` from web/dist; in development, Vite proxies the API.
export default defineConfig({
  plugins: [react()],
  server: { proxy: { "/api": "http://127.0.0.1:8000" } },
  build: { outDir: "dist", sourcemap: false },
  test: { environment: "node", include: ["src/**/*.test.ts", "widget/**/*.test.ts"] },
});
