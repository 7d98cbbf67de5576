// The client library against the real `qoltanba serve`; results checked with OpenSSL, not Qoltanba.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { connect, NCALayerClient, QoltanbaError } from "../qoltanba.js";
import { freePort, ORIGIN, startService } from "./service.js";
import {
  certificateOf, chainVerifies, loginMessage, registerMessage, newChallenge, opensslCmsVerify, rs256Verifies,
} from "./verify.js";

async function withClient(keystore, run) {
  const service = await startService(keystore);
  const client = await connect({ url: service.url, webSocket: service.webSocket });
  try {
    await run(client, service);
  } finally {
    client.close();
    await service.stop();
  }
}

test("connect reports 'not running' when nothing listens", async () => {
  const port = await freePort();
  const service = await startService("individual_auth.p12");
  await service.stop();
  await assert.rejects(
    connect({ url: `ws://127.0.0.1:${port}/`, webSocket: service.webSocket }),
    (error) => error instanceof QoltanbaError && error.reason === "not_running"
      && /Qoltanba is not running/.test(error.message),
  );
});

test("connect learns the native API version", async () => {
  await withClient("individual_auth.p12", async (client) => {
    assert.equal(client.version.protocol, 2);
    assert.ok(client.version.features.includes("login"));
  });
});

test("login signs the challenge bound to the page origin with an AUTH certificate", async () => {
  await withClient("individual_auth.p12", async (client) => {
    const challenge = newChallenge();
    const reply = await client.login(challenge);
    assert.equal(reply.format, "qoltanba-login:2");
    assert.equal(reply.action, "login");
    const certificate = certificateOf(reply.certificate);
    assert.match(certificate.subject, /IIN123456789011/);
    assert.ok(chainVerifies(certificate), "certificate chains to the test CA");
    assert.ok(rs256Verifies(certificate, loginMessage(ORIGIN, challenge), reply.signature));
    assert.ok(!rs256Verifies(certificate, loginMessage("https://evil.example", challenge), reply.signature),
      "the signature does not fit another origin");
  });
});

test("changePassword signs the change-password label, which a login check refuses", async () => {
  await withClient("individual_auth.p12", async (client) => {
    const challenge = newChallenge();
    const reply = await client.changePassword(challenge);
    assert.equal(reply.action, "change-password");
    const certificate = certificateOf(reply.certificate);
    assert.ok(rs256Verifies(certificate, loginMessage(ORIGIN, challenge, "change-password"), reply.signature));
    assert.ok(!rs256Verifies(certificate, loginMessage(ORIGIN, challenge, "login"), reply.signature));
  });
});

test("register signs the canonical payload with email, entity and origin", async () => {
  await withClient("individual_sign.p12", async (client) => {
    const challenge = newChallenge();
    const reply = await client.register({ challenge, email: "user@example.kz", entity: "individual" });
    assert.equal(reply.format, "qoltanba-register:2");
    assert.equal(reply.payload, JSON.stringify({
      challenge, email: "user@example.kz", entity: "individual", origin: ORIGIN,
    }));
    const certificate = certificateOf(reply.certificate);
    assert.ok(chainVerifies(certificate));
    assert.ok(rs256Verifies(certificate, registerMessage(reply.payload), reply.signature));
  });
});

test("sign makes a detached CMS that openssl verifies over the data", async () => {
  await withClient("individual_sign.p12", async (client) => {
    const data = Buffer.from("native document");
    const reply = await client.sign({ format: "cms", data: data.toString("base64"), detached: true });
    assert.equal(reply.format, "cms");
    assert.notEqual(opensslCmsVerify(Buffer.from(reply.signature, "base64"), data), null);
    assert.equal(opensslCmsVerify(Buffer.from(reply.signature, "base64"), Buffer.from("other")), null);
  });
});

test("sign with timestamp: true returns CAdES-T that openssl verifies, token included", async () => {
  await withClient("individual_sign.p12", async (client) => {
    const data = Buffer.from("timestamped document");
    const reply = await client.sign({ format: "cms", data: data.toString("base64"), detached: true, timestamp: true });
    const cms = Buffer.from(reply.signature, "base64");
    assert.notEqual(opensslCmsVerify(cms, data), null);
    const printed = spawnSync("openssl", ["cms", "-cmsout", "-print", "-inform", "DER"], { input: cms }).stdout.toString();
    assert.match(printed, /id-smime-aa-timeStampToken/);
  });
});

test("sign sends bytes as a binary document: no base64, and openssl verifies the CMS", async () => {
  await withClient("individual_sign.p12", async (client) => {
    const data = Buffer.alloc(300_000, 7);
    data[0] = 0;
    const reply = await client.sign({ format: "cms", data: new Uint8Array(data), detached: true });
    assert.notEqual(opensslCmsVerify(Buffer.from(reply.signature, "base64"), data), null);
    const fromBlob = await client.sign({ format: "cms", data: new Blob([data]), detached: true });
    assert.notEqual(opensslCmsVerify(Buffer.from(fromBlob.signature, "base64"), data), null);
    data[1] = 8;
    assert.equal(opensslCmsVerify(Buffer.from(reply.signature, "base64"), data), null);
  });
});

test("a request no certificate fits rejects with reason no_matching_certificate", async () => {
  // The scripted user offers an AUTH keystore where a signing certificate is needed.
  await withClient("individual_auth.p12", async (client) => {
    await assert.rejects(
      client.register({ challenge: newChallenge(), email: "a@b.kz", entity: "individual" }),
      (error) => error instanceof QoltanbaError && error.reason === "no_matching_certificate",
    );
  });
});

test("NCALayer facade: getKeyInfo, createCMSSignatureFromBase64, signXml, basicsSign", async () => {
  const service = await startService("individual_sign.p12");
  const ncalayer = new NCALayerClient(service.url, { webSocket: service.webSocket });
  try {
    await ncalayer.connect();
    const info = await ncalayer.getKeyInfo("PKCS12");
    assert.match(info.subjectDn, /IIN123456789011/);
    assert.match(info.pem, /BEGIN CERTIFICATE/);

    const cms = await ncalayer.createCMSSignatureFromBase64("PKCS12", Buffer.from("document").toString("base64"), "SIGNATURE", true);
    assert.equal(opensslCmsVerify(Buffer.from(cms, "base64"))?.toString(), "document");
    // NCALayer's createCMSSignatureFromBase64 is CAdES-T: the local TSA's token is in it.
    const printed = spawnSync("openssl", ["cms", "-cmsout", "-print", "-inform", "DER"],
      { input: Buffer.from(cms, "base64") }).stdout.toString();
    assert.match(printed, /id-smime-aa-timeStampToken/);

    const xml = await ncalayer.signXml("PKCS12", "<tag>data</tag>", "SIGNATURE", "", "");
    assert.match(xml, /^<tag>data<ds:Signature [^>]*>[\s\S]*<\/ds:Signature><\/tag>$/);

    const [pem] = await ncalayer.basicsSignCMS(["PKCS12"], Buffer.from("basics").toString("base64"),
      { decode: true, encapsulate: true });
    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
    assert.equal(opensslCmsVerify(der)?.toString(), "basics");

    await assert.rejects(
      ncalayer.signXml("PKCS12", "<tag>data</tag>", "SIGNATURE", "/tag", ""),
      (error) => error instanceof QoltanbaError && /XPath selection is not supported/.test(error.message),
    );
  } finally {
    ncalayer.close();
    await service.stop();
  }
});
