// Password change by EDS: "Select certificate" signs the change request in Qoltanba (its own
// "change your password" task, which a login check refuses), then the new password form.
import { connect } from "/qoltanba.js";
import { byId, finish, post, show, signer } from "/static/common.js";

/** The signed change request, kept until the form is sent. */
let signed = null;

const step = (name) => {
  byId("certificate-step").hidden = name !== "certificate";
  byId("change-form").hidden = name !== "form";
};

byId("select-certificate").onclick = async () => {
  show("");
  try {
    const { challenge, message } = await post("/api/challenge", {});
    if (!challenge) { show(message); return; }
    const client = await connect(signer);
    try {
      signed = { challenge, reply: JSON.stringify(await client.changePassword(challenge)) };
    } finally {
      client.close();
    }
    step("form");
    byId("new-password").focus();
  } catch (e) {
    show(e.message);
  }
};

byId("change-form").onsubmit = async (e) => {
  e.preventDefault();
  let r;
  try {
    r = await post("/api/password/eds", {
      ...signed,
      newPassword: byId("new-password").value,
      passwordConfirmation: byId("confirmation").value,
    });
  } catch (error) {
    show(error.message);
    return;
  }
  show(r.message);
  if (r.ok) {
    signed = null;
    byId("certificate-step").hidden = true;
    finish("change-form");
  } else if (r.status !== 400) {
    // Not a mistake in the form: the signature was refused (and its challenge used), so the
    // request must be signed again.
    signed = null;
    step("certificate");
  }
};
