import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

/** The web console: console/src → console/dist (git-ignored), served by profileflow at /console/. */
export default defineConfig({
  root: here,
  base: "/console/",
  plugins: [react()],
  logLevel: "warn",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Cloudscape is large; the console is served from the same machine, not over a slow link.
    chunkSizeWarningLimit: 4096,
    sourcemap: false,
  },
});
