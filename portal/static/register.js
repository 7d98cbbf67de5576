// The registration page: the agreement, the form, and the registration signature by EDS.
import { connect } from "/qoltanba.js";
import { byId, post, show, signer, texts } from "/static/common.js";

byId("register-form").onsubmit = async (e) => {
  e.preventDefault();
  try {
    if (!byId("agreement").checked) { show(texts.agreementRequired); return; }
    const entity = document.querySelector("input[name=entity]:checked").value;
    const email = byId("email").value;
    const { challenge, message } = await post("/api/challenge", {});
    if (!challenge) { show(message); return; }
    const client = await connect(signer);
    const reply = await client.register({ challenge, email, entity });
    client.close();
    const r = await post("/api/register", {
      agreement: true, entity, email, challenge, reply: JSON.stringify(reply),
      password: byId("password").value, passwordConfirmation: byId("confirmation").value,
    });
    show(r.message);
  } catch (e) {
    show(e.message);
  }
};
