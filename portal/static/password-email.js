// Password recovery by e-mail: the type of user decides which fields are asked (a disabled
// fieldset is neither shown nor required); a match mails a new password.
import { byId, finish, post, show } from "/static/common.js";

const entity = () => document.querySelector("input[name=entity]:checked").value;

const showFields = () => {
  for (const [kind, id] of [["individual", "individual-fields"], ["legal", "legal-fields"]]) {
    byId(id).hidden = byId(id).disabled = entity() !== kind;
  }
};
for (const radio of document.querySelectorAll("input[name=entity]")) radio.onchange = showFields;
showFields();

byId("recovery-form").onsubmit = async (e) => {
  e.preventDefault();
  const request = entity() === "individual"
    ? {
      entity: "individual",
      iin: byId("iin").value,
      documentNumber: byId("document-number").value,
      issueDate: byId("issue-date").value,
    }
    : { entity: "legal", bin: byId("bin").value, registrationNumber: byId("registration-number").value };
  let r;
  try {
    r = await post("/api/password/email", request);
  } catch (error) {
    show(error.message);
    return;
  }
  show(r.message);
  if (r.ok) {
    finish("recovery-form");
  }
};
