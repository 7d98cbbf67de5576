// A TSA that is not ours for the JS suites: `openssl ts -reply` with the test PKI's TSA
// certificate (certs-test/conf/tsa.cnf) behind a small HTTP endpoint on 127.0.0.1.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Starts the TSA; resolves to `{ url, stop }`. */
export async function startTsa(repo) {
  const work = mkdtempSync(join(tmpdir(), "qoltanba-tsa-"));
  writeFileSync(join(work, "serial"), "01\n");
  let next = 0;
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const id = next++;
      const query = join(work, `${id}.tsq`);
      const reply = join(work, `${id}.tsr`);
      writeFileSync(query, Buffer.concat(chunks));
      // Synchronous: openssl rewrites the serial file, so replies are made one at a time.
      const openssl = spawnSync("openssl", [
        "ts", "-reply", "-config", join(repo, "certs-test/conf/tsa.cnf"),
        "-queryfile", query, "-out", reply,
      ], { env: { ...process.env, QOLTANBA_TSA_DIR: work, QOLTANBA_PKI_CA: join(repo, "certs-test/ca") } });
      if (openssl.status !== 0) {
        response.writeHead(500).end(openssl.stderr);
        return;
      }
      response.writeHead(200, { "Content-Type": "application/timestamp-reply" }).end(readFileSync(reply));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/tsp`,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      rmSync(work, { recursive: true, force: true });
    },
  };
}
