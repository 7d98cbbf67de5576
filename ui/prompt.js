// The prompt window: a site's request, approved or answered with a keystore, its password and a certificate.
// Rust owns the state (a View); this module renders it and sends the user's answers back.

import { invoke, listen } from "./tauri.js";
import { LANGS, loadLang, currentLang, t, tp, applyTranslations, ensureStrings } from "./i18n.js";
import { $, h, fill, icon, hydrateIcons } from "./dom.js";
import { bindRadioGroup, check, syncTabStop } from "./radio-list.js";
import { passwordField } from "./password-field.js";
import {
  formatDate,
  formatSize,
  originParts,
  certOwner,
  algorithmLabel,
  purposeLabel,
  holderLabel,
  roleLabel,
  baseName,
} from "./format.js";

const el = {
  window: $("#window"),
  request: $("#request"),
  origin: $("#origin"),
  originWarning: $("#origin-warning"),
  task: $("#task"),
  taskMeta: $("#task-meta"),
  failure: $("#failure"),
  idle: $("#view-idle"),
  approval: $("#view-approval"),
  preview: $("#preview"),
  previewSummary: $("#preview-summary"),
  previewText: $("#preview-text"),
  keystoreView: $("#view-keystore"),
  keystoreList: $("#keystore-list"),
  keystoreEmpty: $("#keystore-empty"),
  browse: $("#browse"),
  form: $("#password-form"),
  passwordLabel: $("#password-label"),
  password: $("#password"),
  toggle: $("#toggle-password"),
  caps: $("#caps-hint"),
  error: $("#error"),
  savedRow: $("#saved-row"),
  useSaved: $("#use-saved"),
  remember: $("#remember"),
  certView: $("#view-certificates"),
  unlockedName: $("#unlocked-name"),
  back: $("#back"),
  certList: $("#certificate-list"),
  certEmpty: $("#certificate-empty"),
  footer: $("#footer"),
  status: $("#status"),
  deny: $("#deny"),
  cancel: $("#cancel"),
  approveAlways: $("#approve-always"),
  approveOnce: $("#approve-once"),
  unlock: $("#unlock"),
  choose: $("#choose"),
  chooseLabel: $("#choose-label"),
};

// What the user has done on the current screen; reset when the screen's id changes.
const local = {
  id: undefined, // id of the screen shown
  kind: null,
  keystore: null, // path of the keystore picked in the list
  certificate: null, // index of the certificate picked
  unlockedPath: null, // keystore whose certificates are shown
  lastSelected: undefined, // the View's "selected" last seen
  errorShown: null, // "kind|message" of the error last rendered (focus moves once per new error)
  busy: false,
  awaiting: false, // a command was sent and its answer (a new View) has not come yet
  awaitTimer: 0,
};
let view = null;

const resetPassword = passwordField({ input: el.password, toggle: el.toggle, capsHint: el.caps });

// ---------- rendering ----------

let queue = Promise.resolve();
/** Renders a View; renders run one after another (a language load may be in between). */
function render(next) {
  queue = queue.then(() => draw(next)).catch((err) => showFailure(err));
  return queue;
}

async function draw(next) {
  if (!next || typeof next !== "object") return;
  const lang = LANGS.includes(next.lang) ? next.lang : "en";
  if (lang !== currentLang()) {
    await loadLang(lang);
    applyTranslations(document);
  }
  view = next;
  if (local.awaiting) settle();
  const screen = next.screen || null;
  const id = screen ? screen.id : null;
  const isNewScreen = id !== local.id || (screen ? screen.kind : null) !== local.kind;
  if (isNewScreen) resetScreen(screen);

  el.window.dataset.screen = screen ? screen.kind : "idle";
  el.request.hidden = !screen;
  el.footer.hidden = !screen;
  el.idle.hidden = !!screen;
  el.approval.hidden = !screen || screen.kind !== "approval";
  if (!screen) {
    for (const section of [el.preview, el.keystoreView, el.certView]) section.hidden = true;
    if (isNewScreen) $(".idle-title").focus();
    return;
  }

  drawRequest(screen);
  if (screen.kind === "approval") drawApproval(isNewScreen);
  else drawKey(screen, isNewScreen);
}

/** Keystrokes within this many milliseconds count as the user still typing. */
const TYPING_PAUSE_MS = 1500;
let lastKeyAt = -Infinity;
document.addEventListener("keydown", () => { lastKeyAt = performance.now(); }, true);

function typingRecently() {
  return performance.now() - lastKeyAt < TYPING_PAUSE_MS;
}

function resetScreen(screen) {
  local.id = screen ? screen.id : null;
  local.kind = screen ? screen.kind : null;
  local.keystore = null;
  local.certificate = null;
  local.unlockedPath = null;
  local.lastSelected = undefined;
  local.errorShown = null;
  settle();
  resetPassword();
  el.remember.checked = false;
  el.preview.open = false;
  el.failure.hidden = true;
}

function drawRequest(screen) {
  const parts = originParts(screen.origin);
  const [scheme, host, port] = el.origin.children;
  scheme.textContent = parts.scheme;
  host.textContent = parts.host;
  port.textContent = parts.port;
  el.origin.title = String(screen.origin ?? "");
  el.originWarning.hidden = parts.secure || parts.local;

  const task = screen.kind === "key" ? screen.task || {} : { kind: "approval" };
  el.task.textContent = taskText(task);
  const meta = taskMeta(task);
  el.taskMeta.hidden = !meta;
  el.taskMeta.textContent = meta || "";
}

function taskText(task) {
  switch (task.kind) {
    case "approval":
      return t("task.approval");
    case "login":
      return t("task.login");
    case "changePassword":
      return t("task.changePassword");
    case "register":
      return t("task.register");
    case "showCertificate":
      return t("task.showCertificate");
    case "sign":
      return tp("task.sign", task.count ?? 1);
    case "signHashes":
      return tp("task.signHashes", task.count ?? 1);
    case "timestamp":
      return t("task.timestampSignature", { tsa: task.tsa ?? "" });
    default:
      return t("task.unknown");
  }
}

function taskMeta(task) {
  const format = task.format ? t(`format.${task.format}`) : null;
  // The TSA the service will ask after the user signs (CAdES-T), named before they sign.
  const stamped = typeof task.timestamp === "string" ? t("task.timestamp", { host: task.timestamp }) : null;
  const withStamp = (text) => (stamped ? `${text} · ${stamped}` : text);
  if (task.kind === "sign") return withStamp(t("task.signMeta", { size: formatSize(task.bytes ?? 0), format }));
  if (task.kind === "signHashes" && format) return withStamp(format);
  return null;
}

function chooseLabelKey(task) {
  switch (task.kind) {
    case "login":
      return "choose.login";
    case "changePassword":
      return "choose.changePassword";
    case "register":
      return "choose.register";
    case "showCertificate":
      return "choose.showCertificate";
    default:
      return "choose.sign";
  }
}

// ---------- approval ----------

function drawApproval(isNewScreen) {
  el.preview.hidden = true;
  el.keystoreView.hidden = true;
  el.certView.hidden = true;
  showButtons(["deny", "approveAlways", "approveOnce"]);
  setStatus("");
  // Focus the question, not a button: a keystroke meant for the browser must not answer it.
  if (isNewScreen) $("#approval-question").focus();
}

function showButtons(names) {
  for (const name of ["deny", "cancel", "approveAlways", "approveOnce", "unlock", "choose"]) {
    el[name].hidden = !names.includes(name);
  }
}

async function approve(answer) {
  const screen = currentScreen("approval");
  if (!screen) return;
  disableFooter();
  await send("prompt_approve", { id: screen.id, answer });
}

// ---------- key request ----------

function drawKey(screen, isNewScreen) {
  const task = screen.task || {};
  drawPreview(task);

  const unlocked = screen.unlocked && screen.unlocked.path ? screen.unlocked : null;
  const backFromCertificates = !unlocked && local.unlockedPath !== null;
  el.keystoreView.hidden = !!unlocked;
  el.certView.hidden = !unlocked;
  el.chooseLabel.textContent = t(chooseLabelKey(task));

  if (unlocked) {
    showButtons(["cancel", "choose"]);
    drawCertificates(unlocked);
  } else {
    showButtons(["cancel", "unlock"]);
    local.unlockedPath = null;
    drawKeystores(screen, isNewScreen);
    if (backFromCertificates && local.keystore) el.password.focus();
  }
}

function drawPreview(task) {
  const preview = task.kind === "sign" && typeof task.preview === "string" ? task.preview : null;
  el.preview.hidden = preview === null;
  if (preview === null) return;
  el.previewSummary.textContent = t((task.count ?? 1) > 1 ? "preview.showFirst" : "preview.show");
  if (el.previewText.textContent !== preview) el.previewText.textContent = preview;
}

function drawKeystores(screen, isNewScreen) {
  const keystores = Array.isArray(screen.keystores) ? screen.keystores : [];
  const paths = keystores.map((k) => k.path);
  // The keystore Rust last tried wins; otherwise keep the user's pick, else preselect the first.
  const selectedChanged = !isNewScreen && screen.selected && screen.selected !== local.lastSelected;
  if (screen.selected && (isNewScreen || selectedChanged)) {
    if (local.keystore !== screen.selected) resetPassword();
    local.keystore = screen.selected;
  }
  local.lastSelected = screen.selected;
  if (!local.keystore || (!paths.includes(local.keystore) && local.keystore !== screen.selected)) {
    local.keystore = paths[0] || null;
  }

  drawKeystoreList(keystores);
  el.keystoreEmpty.hidden = keystores.length > 0;
  drawPasswordForm(screen, keystores);

  if (isNewScreen) {
    // A question that replaced another while the user was typing does not take the caret:
    // the next keystrokes (and Enter) must not land in a request the user has not read yet.
    if (typingRecently()) document.activeElement?.blur();
    else if (local.keystore) el.password.focus();
    else if (keystores.length) syncTabStop(el.keystoreList).focus();
    else el.browse.focus();
  } else if (selectedChanged && !local.busy) {
    el.password.focus();
  }
}

function drawKeystoreList(keystores) {
  const recent = keystores.filter((k) => k.recent);
  const byFolder = new Map();
  for (const keystore of keystores.filter((k) => !k.recent)) {
    const folder = keystore.folder || "";
    if (!byFolder.has(folder)) byFolder.set(folder, []);
    byFolder.get(folder).push(keystore);
  }
  const groups = [];
  if (recent.length) groups.push({ title: t("keystore.recent"), items: recent, showFolder: true });
  for (const [folder, items] of byFolder) groups.push({ title: folder, items, showFolder: false, folder: true });

  const hadFocus = el.keystoreList.contains(document.activeElement);
  const focusedPath = hadFocus ? document.activeElement.dataset.path : null;
  fill(
    el.keystoreList,
    groups.map((group) => [
      h(
        "div",
        { class: group.folder ? "group-title group-folder" : "group-title", "aria-hidden": "true", title: group.folder ? group.title : null },
        group.folder ? icon("folder") : null,
        h("span", { class: "ellipsis" }, group.title),
      ),
      group.items.map((keystore) => keystoreItem(keystore, group.showFolder)),
    ]),
  );
  const checked = [...el.keystoreList.querySelectorAll("[data-path]")].find((item) => item.dataset.path === local.keystore);
  if (checked) check(el.keystoreList, checked);
  else syncTabStop(el.keystoreList);
  if (focusedPath) {
    const again = [...el.keystoreList.querySelectorAll("[data-path]")].find((item) => item.dataset.path === focusedPath);
    if (again) again.focus();
  }
}

function keystoreItem(keystore, showFolder) {
  const name = keystore.name || baseName(keystore.path);
  return h(
    "div",
    {
      class: "choice",
      role: "radio",
      "aria-checked": "false",
      tabindex: "-1",
      title: keystore.path,
      dataset: { path: keystore.path },
    },
    h("span", { class: "radio-mark", "aria-hidden": "true" }),
    h("span", { class: "choice-icon", "aria-hidden": "true" }, icon("file")),
    h(
      "span",
      { class: "choice-body" },
      h("span", { class: "choice-title" }, name),
      showFolder ? h("span", { class: "choice-sub ellipsis" }, keystore.folder || "") : null,
    ),
    keystore.remembered
      ? h("span", { class: "badge badge-neutral" }, icon("key"), h("span", null, t("keystore.saved")))
      : null,
  );
}

function drawPasswordForm(screen, keystores) {
  const keystore = keystores.find((k) => k.path === local.keystore) || null;
  const error = screen.error && (!screen.selected || screen.selected === local.keystore) ? screen.error : null;
  el.form.hidden = !local.keystore;
  el.unlock.disabled = local.busy || !local.keystore;
  if (!local.keystore) return;

  const name = keystore ? keystore.name || baseName(keystore.path) : baseName(local.keystore);
  el.passwordLabel.textContent = t("password.label", { name });
  el.savedRow.hidden = !(keystore && keystore.remembered);
  drawError(error);
}

function drawError(error) {
  el.error.hidden = !error;
  const described = ["caps-hint"];
  if (error) {
    const text = t(`error.${error.kind}`) === `error.${error.kind}` ? t("error.unknown") : t(`error.${error.kind}`);
    const detail = error.kind !== "wrongPassword" && error.message ? String(error.message) : null;
    fill(
      el.error,
      icon("alert"),
      h("div", { class: "alert-body" }, h("p", null, text), detail ? h("p", { class: "alert-detail", lang: "en" }, detail) : null),
    );
    described.push("error");
    el.password.setAttribute("aria-invalid", String(error.kind === "wrongPassword"));
  } else {
    el.error.replaceChildren();
    el.password.removeAttribute("aria-invalid");
  }
  el.password.setAttribute("aria-describedby", described.join(" "));
  // A new error puts the user back in the password field, ready to retype.
  const errorKey = error ? `${error.kind}|${error.message ?? ""}` : null;
  if (errorKey && errorKey !== local.errorShown && !local.busy) {
    el.password.focus();
    el.password.select();
    el.error.scrollIntoView({ block: "nearest" });
  }
  local.errorShown = errorKey;
}

function drawCertificates(unlocked) {
  const certificates = Array.isArray(unlocked.certificates) ? unlocked.certificates : [];
  const isNew = unlocked.path !== local.unlockedPath;
  local.unlockedPath = unlocked.path;
  el.unlockedName.textContent = baseName(unlocked.path);
  el.unlockedName.title = unlocked.path;

  const indexes = certificates.filter((c) => c.selectable).map((c) => c.index);
  if (isNew || !indexes.includes(local.certificate)) local.certificate = indexes.length ? indexes[0] : null;

  fill(el.certList, certificates.map(certificateCard));
  el.certEmpty.hidden = indexes.length > 0;
  const checked = el.certList.querySelector(`[data-index="${local.certificate}"]`);
  if (checked) check(el.certList, checked);
  else syncTabStop(el.certList);
  el.choose.disabled = local.busy || local.certificate === null;
  if (isNew) (checked || el.back).focus();
}

function certificateCard(cert) {
  const info = cert.info || {};
  const disabled = !cert.selectable;
  const role = roleLabel(info.role);
  const who = info.holder === "legalEntity" ? role || holderLabel(info.holder) : holderLabel(info.holder);
  const ids = [
    info.iin ? `${t("cert.iin")} ${info.iin}` : null,
    info.bin ? `${t("cert.bin")} ${info.bin}` : null,
  ].filter(Boolean);
  const valid = t("cert.validRange", { from: formatDate(info.notBefore), to: formatDate(info.notAfter) });
  return h(
    "div",
    {
      class: disabled ? "choice card is-disabled" : "choice card",
      role: "radio",
      "aria-checked": "false",
      "aria-disabled": disabled ? "true" : "false",
      tabindex: "-1",
      dataset: { index: String(cert.index) },
    },
    h("span", { class: "radio-mark", "aria-hidden": "true" }),
    h(
      "span",
      { class: "card-body" },
      h(
        "span",
        { class: "card-head" },
        h("span", { class: "card-title" }, certOwner(info)),
        h("span", { class: `badge ${purposeBadge(info.purpose)}` }, purposeLabel(info.purpose)),
      ),
      ids.length ? h("span", { class: "card-line mono-nums" }, ids.join(" · ")) : null,
      h("span", { class: "card-line" }, [info.organization, who].filter(Boolean).join(" · ")),
      h("span", { class: "card-line muted" }, `${algorithmLabel(info.algorithm)} · ${valid}`),
      disabled
        ? h("span", { class: `badge card-reason ${cert.reason === "notYetValid" ? "badge-warn" : "badge-danger"}` }, icon("alert"), h("span", null, reasonText(cert)))
        : null,
    ),
  );
}

function purposeBadge(purpose) {
  return purpose === "AUTH" ? "badge-accent" : purpose === "SIGN" ? "badge-sign" : "badge-neutral";
}

function reasonText(cert) {
  const info = cert.info || {};
  switch (cert.reason) {
    case "expired":
      return t("cert.expiredOn", { date: formatDate(info.notAfter) });
    case "notYetValid":
      return t("cert.notYetValid", { date: formatDate(info.notBefore) });
    case "unsupported":
      return t("cert.unsupported");
    default:
      return t("cert.notSelectable");
  }
}

// ---------- actions ----------

function currentScreen(kind) {
  const screen = view && view.screen;
  return screen && screen.kind === kind ? screen : null;
}

async function unlock(password) {
  const screen = currentScreen("key");
  if (!screen || local.busy || !local.keystore) return;
  if (password === "") {
    drawError({ kind: "passwordRequired" });
    return;
  }
  const args = { id: screen.id, path: local.keystore, password, remember: el.remember.checked };
  el.password.value = ""; // the password leaves the page with the request and nowhere else
  setBusy(true, "status.opening");
  local.errorShown = null;
  await send("prompt_unlock", args);
}

async function choose() {
  const screen = currentScreen("key");
  if (!screen || local.busy || local.certificate === null) return;
  setBusy(true, "status.working");
  disableFooter();
  await send("prompt_choose", { id: screen.id, index: local.certificate });
}

async function cancel() {
  const screen = view && view.screen;
  if (!screen) return;
  disableFooter();
  if (screen.kind === "approval") await send("prompt_approve", { id: screen.id, answer: "deny" });
  else await send("prompt_cancel", { id: screen.id });
}

/**
 * Invokes a command whose answer is a new View (sent with "prompt-changed", or returned).
 * The window stays busy until that View comes; a failure shows a message and gives the buttons back.
 */
async function send(cmd, args) {
  el.failure.hidden = true;
  local.awaiting = true;
  clearTimeout(local.awaitTimer);
  try {
    const result = await invoke(cmd, args);
    if (result && typeof result === "object" && "screen" in result) render(result);
    // The command is done; should no View follow, do not stay busy for ever.
    else if (local.awaiting) local.awaitTimer = setTimeout(() => settle(true), 10000);
  } catch (err) {
    showFailure(err);
    settle(true);
  }
}

/** Ends the busy state of a sent command; redraw: also bring the current View's buttons back. */
function settle(redraw = false) {
  local.awaiting = false;
  clearTimeout(local.awaitTimer);
  for (const button of el.footer.querySelectorAll("button")) button.disabled = false;
  setBusy(false);
  if (redraw && view && view.screen && view.screen.kind === "key") {
    drawKey(view.screen, false);
    if (!el.keystoreView.hidden && document.activeElement === document.body) el.password.focus();
  }
}

function showFailure(err) {
  console.error(err);
  const kind = err && typeof err === "object" ? err.kind : null;
  const text = kind && t(`error.${kind}`) !== `error.${kind}` ? t(`error.${kind}`) : t("error.unknown");
  const detail = err && typeof err === "object" ? err.message : err;
  fill(
    el.failure,
    icon("alert"),
    h("div", { class: "alert-body" }, h("p", null, text), detail ? h("p", { class: "alert-detail", lang: "en" }, String(detail)) : null),
  );
  el.failure.hidden = false;
}

function disableFooter() {
  for (const button of el.footer.querySelectorAll("button")) button.disabled = true;
}

function setBusy(busy, statusKey) {
  local.busy = busy;
  el.window.setAttribute("aria-busy", String(busy));
  el.unlock.classList.toggle("is-busy", busy && !el.unlock.hidden);
  el.choose.classList.toggle("is-busy", busy && !el.choose.hidden);
  el.unlock.disabled = busy || !local.keystore;
  el.choose.disabled = busy || local.certificate === null;
  el.password.disabled = busy;
  el.useSaved.disabled = busy;
  el.browse.disabled = busy;
  el.remember.disabled = busy;
  setStatus(busy && statusKey ? t(statusKey) : "");
}

function setStatus(text) {
  el.status.textContent = text;
}

function selectKeystore(item, how) {
  if (local.busy) return;
  if (item.dataset.path !== local.keystore) {
    local.keystore = item.dataset.path;
    resetPassword();
    local.errorShown = null;
  }
  check(el.keystoreList, item);
  if (view && view.screen && view.screen.kind === "key") {
    drawPasswordForm(view.screen, view.screen.keystores || []);
  }
  if (how === "pointer") el.password.focus();
}

function selectCertificate(item) {
  if (local.busy) return;
  local.certificate = Number(item.dataset.index);
  check(el.certList, item);
  el.choose.disabled = false;
}

// ---------- wiring ----------

bindRadioGroup(el.keystoreList, {
  onSelect: selectKeystore,
  onActivate: (item) => {
    selectKeystore(item, "key");
    el.password.focus();
  },
});
bindRadioGroup(el.certList, {
  onSelect: selectCertificate,
  onActivate: (item) => {
    selectCertificate(item);
    choose();
  },
});

el.form.addEventListener("submit", (event) => {
  event.preventDefault();
  unlock(el.password.value);
});
el.useSaved.addEventListener("click", () => unlock(null));
el.browse.addEventListener("click", () => {
  const screen = currentScreen("key");
  if (screen) send("prompt_browse", { id: screen.id });
});
el.back.addEventListener("click", () => {
  const screen = currentScreen("key");
  if (screen) send("prompt_back", { id: screen.id });
});
el.choose.addEventListener("click", choose);
el.cancel.addEventListener("click", cancel);
el.deny.addEventListener("click", () => approve("deny"));
el.approveOnce.addEventListener("click", () => approve("once"));
el.approveAlways.addEventListener("click", () => approve("always"));

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || event.defaultPrevented || event.isComposing) return;
  event.preventDefault();
  cancel();
});

async function start() {
  hydrateIcons(document);
  await listen("prompt-changed", (event) => render(event.payload));
  await listen("language-changed", (event) => {
    if (view) render({ ...view, lang: event.payload });
  });
  render(await invoke("prompt_view"));
}

start().catch(async (err) => {
  await ensureStrings();
  showFailure(err);
});
