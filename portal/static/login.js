// The login page: IIN/BIN/e-mail and password, or EDS through the local signing service.
import { connect } from "/qoltanba.js";
import { byId, go, post, show, signer } from "/static/common.js";

byId("personal").onclick = () => go("/account");
byId("services").onclick = () => go("/services");

const tab = (on) => {
  byId("password-form").classList.toggle("on", on === "password");
  byId("eds-form").classList.toggle("on", on === "eds");
};
byId("tab-password").onclick = () => tab("password");
byId("tab-eds").onclick = () => tab("eds");

byId("password-form").onsubmit = async (e) => {
  e.preventDefault();
  const r = await post("/api/login/password", { login: byId("login").value, password: byId("password").value });
  if (r.ok) go("/account"); else show(r.message);
};

byId("eds-submit").onclick = async () => {
  try {
    const { challenge, message } = await post("/api/challenge", {});
    if (!challenge) { show(message); return; }
    const client = await connect(signer);
    const reply = await client.login(challenge);
    client.close();
    const r = await post("/api/login/eds", { challenge, reply: JSON.stringify(reply) });
    if (!r.ok) { show(r.message); return; }
    const i = r.identity;
    byId("d-iin").textContent = i.iin ?? "—";
    byId("d-bin").textContent = i.bin ?? "—";
    byId("d-name").textContent = i.fullName ?? "";
    byId("d-validity").textContent = i.validFrom + " — " + i.validTo;
    byId("identity").showModal();
  } catch (e) {
    show(e.message);
  }
};
