// The services page: "Sign and send the application" signs the application's text in Qoltanba
// as an attached CMS with a signature timestamp (CAdES-T) and sends it; the personal account
// then shows the time the timestamp proves.
import "/static/session.js";
import { connect } from "/qoltanba.js";
import { byId, post, show, signer } from "/static/common.js";

/** UTF-8 text as base64, as qoltanba.sign takes cms data. */
const base64 = (text) => {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
};

byId("sign-application").onclick = async () => {
  show("");
  try {
    const client = await connect(signer);
    let signed;
    try {
      signed = await client.sign({
        format: "cms",
        data: base64(byId("application").textContent),
        detached: false,
        purpose: "sign",
        timestamp: true,
      });
    } finally {
      client.close();
    }
    const r = await post("/api/applications", { cms: signed.signature });
    show(r.provenTime ? `${r.message}: ${r.provenTime}` : r.message);
  } catch (e) {
    show(e.message);
  }
};
