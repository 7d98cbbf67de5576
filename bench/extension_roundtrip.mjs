// Round trips in headless Chromium, same run, same service: through the extension (native
// messaging + local channel) against the page's own socket (with the Local Network Access
// permission granted): qoltanba.version, and a 1 MB document signed as attached CMS.
// Run with bench/extension.sh; RUNS sets the repetitions (median and min reported).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, startPages, startService } from "../extension/test/processes.js";

const RUNS = Number(process.env.RUNS ?? 20);
const work = mkdtempSync(join(tmpdir(), "qoltanba-bench-ext-"));
const runtime = join(work, "run");
const pages = await startPages(work);
const service = await startService({ runtime, keystore: "individual_sign.p12" });
const browser = await launch({ pages: [pages], runtime, extension: true });
try {
  await browser.context.grantPermissions(["local-network-access"], { origin: pages.origin });
  const page = await browser.page(pages.origin);
  const document = randomBytes(1024 * 1024).toString("base64");
  const results = await page.evaluate(async ({ url, runs, document }) => {
    const stats = (times) => {
      const sorted = [...times].sort((a, b) => a - b);
      return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0] };
    };
    const out = {};
    for (const [path, options] of [["extension", {}], ["socket", { url, useExtension: false }]]) {
      const client = await window.qoltanba.connect(options);
      if (client.via !== path) throw new Error(`${path} connected via ${client.via}`);
      const version = [];
      for (let i = 0; i < runs * 10; i++) {
        const t = performance.now();
        await client.call("qoltanba.version");
        version.push(performance.now() - t);
      }
      const cms = [];
      for (let i = 0; i < Math.max(3, Math.floor(runs / 4)); i++) {
        const t = performance.now();
        const reply = await client.sign({ format: "cms", data: document });
        cms.push(performance.now() - t);
        if (!reply.signature) throw new Error("no signature");
      }
      client.close();
      out[path] = { version: stats(version), cms1mb: stats(cms), versionRuns: version.length, cmsRuns: cms.length };
    }
    return out;
  }, { url: service.url, runs: RUNS, document });
  const ms = (x) => `${x.toFixed(2)} ms`;
  console.log(`Chromium round trips (median / min), ${pages.origin} -> qoltanba serve`);
  for (const [path, r] of Object.entries(results)) {
    console.log(`${path.padEnd(9)} qoltanba.version ${ms(r.version.median)} / ${ms(r.version.min)} (${r.versionRuns} runs)   1 MB CMS ${ms(r.cms1mb.median)} / ${ms(r.cms1mb.min)} (${r.cmsRuns} runs)`);
  }
} finally {
  await browser.close();
  await service.stop();
  await pages.stop();
  rmSync(work, { recursive: true, force: true });
}
