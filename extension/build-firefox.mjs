// Assembles the Firefox build in dist/firefox/: the Chromium build's scripts (one source) with
// Firefox's manifest. `npm run build:firefox`; `npm test` lints what this makes.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "dist", "firefox");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const name of readdirSync(join(here, "chromium")).filter((n) => n.endsWith(".js"))) {
  copyFileSync(join(here, "chromium", name), join(out, name));
}
copyFileSync(join(here, "firefox", "manifest.json"), join(out, "manifest.json"));
console.log(`Firefox build: ${out}`);
