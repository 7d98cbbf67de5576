// Independent checks of what the service returned: node's crypto (OpenSSL) and the openssl CLI.
import { createHash, createVerify, randomBytes, X509Certificate } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHAIN } from "./service.js";

export function newChallenge() {
  return randomBytes(32).toString("base64url");
}

export function certificateOf(base64Der) {
  return new X509Certificate(Buffer.from(base64Der, "base64"));
}

/** RSASSA-PKCS1-v1_5 SHA-256 check with the certificate's public key. */
export function rs256Verifies(certificate, message, signatureBase64url) {
  const verifier = createVerify("sha256");
  verifier.update(message);
  return verifier.verify(certificate.publicKey, Buffer.from(signatureBase64url, "base64url"));
}

/** The bytes a qoltanba.login signature covers: SHA-256(origin) ‖ SHA-256(challenge bytes). */
/** docs/PROTOCOL.md: "qoltanba-login:2" 0x00 action 0x00 SHA-256(origin) SHA-256(challenge). */
export function loginMessage(origin, challenge, action = "login") {
  return Buffer.concat([
    Buffer.from(`qoltanba-login:2\0${action}\0`),
    createHash("sha256").update(origin).digest(),
    createHash("sha256").update(Buffer.from(challenge, "base64url")).digest(),
  ]);
}

function withTemp(files, run) {
  const dir = mkdtempSync(join(tmpdir(), "qoltanba-js-verify-"));
  try {
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
    return run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `openssl verify` of the certificate against the test PKI's root and intermediate. */
export function chainVerifies(certificate) {
  return withTemp({ "leaf.pem": certificate.toString() }, (dir) => {
    const result = spawnSync("openssl", ["verify", "-purpose", "any", "-CAfile", CHAIN, join(dir, "leaf.pem")], { encoding: "utf8" });
    return result.status === 0;
  });
}

/** `openssl cms -verify` of a DER CMS; returns the signed content, or null when it fails. */
export function opensslCmsVerify(cmsDer, detachedContent) {
  const files = { "sig.der": cmsDer };
  if (detachedContent) files["content.bin"] = detachedContent;
  return withTemp(files, (dir) => {
    const args = ["cms", "-verify", "-binary", "-inform", "DER", "-in", join(dir, "sig.der"),
      "-CAfile", CHAIN, "-purpose", "any"];
    if (detachedContent) args.push("-content", join(dir, "content.bin"));
    const result = spawnSync("openssl", args, { maxBuffer: 16 * 1024 * 1024 });
    return result.status === 0 ? result.stdout : null;
  });
}

/** docs/PROTOCOL.md: "qoltanba-register:2" 0x00 payload. */
export function registerMessage(payload) {
  return Buffer.concat([Buffer.from("qoltanba-register:2\0"), Buffer.from(payload)]);
}
