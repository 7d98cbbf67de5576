// Pages behind the session: "Log out" ends the session, then opens the login page.
import { byId, lang } from "/static/common.js";

byId("logout").onclick = async (e) => {
  e.preventDefault();
  await fetch("/api/logout?lang=" + lang, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: "{}",
  });
  location.href = "/?lang=" + lang;
};
