// The manager window: keystore folders and files, certificate details, allowed sites, settings, about.
// Rust owns the state; every command that changes it answers with the new state.

import { invoke, listen } from "./tauri.js";
import { LANGS, loadLang, currentLang, t, tp, applyTranslations, ensureStrings } from "./i18n.js";
import { $, $$, h, fill, icon, hydrateIcons, keepFocus } from "./dom.js";
import { bindRadioGroup, check, syncTabStop } from "./radio-list.js";
import { passwordField } from "./password-field.js";
import {
  formatDate,
  formatRelative,
  originParts,
  certOwner,
  algorithmLabel,
  purposeLabel,
  holderLabel,
  roleLabel,
  keyUsageLabel,
  extKeyUsageLabel,
  validityState,
  fingerprintGroups,
  fingerprintColons,
  baseName,
} from "./format.js";

const TABS = ["certificates", "sites", "settings", "about"];

const el = {
  tablist: $('[role="tablist"]'),
  expiringCount: $("#expiring-count"),
  banner: $("#banner"),
  bannerText: $("#banner-text"),
  bannerClose: $("#banner-close"),
  expiring: $("#expiring"),
  foldersDefault: $("#folders-default"),
  folderList: $("#folder-list"),
  addFolder: $("#add-folder"),
  addFile: $("#add-file"),
  rescan: $("#rescan"),
  keystoreList: $("#keystore-list"),
  keystoresEmpty: $("#keystores-empty"),
  detailEmpty: $("#detail-empty"),
  detailKeystore: $("#detail-keystore"),
  detailName: $("#detail-name"),
  detailPath: $("#detail-path"),
  detailSaved: $("#detail-saved"),
  forget: $("#forget-password"),
  openForm: $("#open-form"),
  password: $("#manager-password"),
  toggle: $("#toggle-manager-password"),
  caps: $("#manager-caps-hint"),
  savedRow: $("#manager-saved-row"),
  useSaved: $("#manager-use-saved"),
  open: $("#open-keystore"),
  openError: $("#open-error"),
  details: $("#certificate-details"),
  siteTable: $("#site-list"),
  siteRows: $("#site-list tbody"),
  sitesEmpty: $("#sites-empty"),
  autostart: $("#autostart"),
  tlsState: $("#tls-state"),
  trustTls: $("#trust-tls"),
  aboutVersion: $("#about-version"),
  aboutStatus: $("#about-status"),
  aboutTls: $("#about-tls"),
  aboutConfig: $("#about-config"),
};

let state = null;
const local = {
  keystore: null, // path selected in the list
  opened: null, // manager_open's answer for the selected keystore
  opening: false,
  refocus: null, // where the focus goes when the focused element disappears in a redraw
  status: new Map(), // certificate index → short status text ("Saved to …")
};

const resetPassword = passwordField({ input: el.password, toggle: el.toggle, capsHint: el.caps });

// ---------- tabs ----------

function tabOf(name) {
  return $(`#tab-${name}`);
}

function selectTab(name, { focus = false, updateHash = true } = {}) {
  if (!TABS.includes(name)) name = "certificates";
  for (const other of TABS) {
    const tab = tabOf(other);
    const selected = other === name;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(`#panel-${other}`).hidden = !selected;
  }
  if (focus) tabOf(name).focus();
  if (updateHash && location.hash !== `#${name}`) history.replaceState(null, "", `#${name}`);
  refresh();
}

// Sites, recent keystores and the service's status change while the window is open.
function refresh() {
  if (state) invoke("manager_state").then(render, showBanner);
}
window.addEventListener("focus", refresh);

function currentTab() {
  return TABS.find((name) => tabOf(name).getAttribute("aria-selected") === "true");
}

el.tablist.addEventListener("click", (event) => {
  const tab = event.target.closest('[role="tab"]');
  if (tab) selectTab(tab.dataset.tab, { focus: true });
});
el.tablist.addEventListener("keydown", (event) => {
  const at = TABS.indexOf(currentTab());
  const moves = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: TABS.length - 1 };
  if (!(event.key in moves)) return;
  event.preventDefault();
  selectTab(TABS[(moves[event.key] + TABS.length) % TABS.length], { focus: true });
});
window.addEventListener("hashchange", () => selectTab(location.hash.slice(1), { updateHash: false }));

// ---------- errors ----------

function errorText(err) {
  const kind = err && typeof err === "object" ? err.kind : null;
  return kind && t(`error.${kind}`) !== `error.${kind}` ? t(`error.${kind}`) : t("error.unknown");
}

function errorDetail(err) {
  if (err && typeof err === "object") return err.kind === "wrongPassword" ? null : err.message || null;
  return err ? String(err) : null;
}

function errorContent(err) {
  const detail = errorDetail(err);
  return h("div", { class: "alert-body" }, h("p", null, errorText(err)), detail ? h("p", { class: "alert-detail", lang: "en" }, detail) : null);
}

function showBanner(err) {
  console.error(err);
  fill(el.bannerText, errorContent(err));
  el.banner.hidden = false;
}

el.bannerClose.addEventListener("click", () => {
  el.banner.hidden = true;
  tabOf(currentTab()).focus();
});

/** Invokes a command; a failure shows the banner. Answers that are states are rendered. */
async function call(cmd, args) {
  try {
    const result = await invoke(cmd, args);
    if (isState(result)) render(result);
    return { ok: true, result };
  } catch (err) {
    showBanner(err);
    return { ok: false, error: err };
  }
}

function isState(value) {
  return Boolean(value && typeof value === "object" && Array.isArray(value.keystores));
}

// ---------- rendering ----------

let queue = Promise.resolve();
function render(next) {
  queue = queue.then(() => draw(next)).catch((err) => showBanner(err));
  return queue;
}

async function draw(next) {
  if (!isState(next)) return;
  const lang = LANGS.includes(next.lang) ? next.lang : "en";
  if (lang !== currentLang()) {
    await loadLang(lang);
    applyTranslations(document);
  }
  state = next;
  drawExpiring();
  drawFolders();
  drawKeystores();
  drawDetail();
  drawSites();
  drawSettings();
  drawAbout();
}

// ---------- certificates tab ----------

function drawExpiring() {
  const expiring = Array.isArray(state.expiring) ? state.expiring : [];
  el.expiring.hidden = expiring.length === 0;
  el.expiringCount.hidden = expiring.length === 0;
  el.expiringCount.textContent = String(expiring.length);
  el.expiringCount.title = t("expiring.count", { count: expiring.length });
  fill(
    el.expiring,
    expiring.map((item) =>
      h(
        "p",
        { class: "alert alert-warn" },
        icon("warning"),
        h("span", { class: "alert-body" }, t("notify.expiryBody", { owner: item.owner, date: formatDate(item.notAfter) })),
      ),
    ),
  );
}

function drawFolders() {
  const entries = [
    ...(state.folders || []).map((path) => ({ path, kind: "folder" })),
    ...(state.files || []).map((path) => ({ path, kind: "file" })),
  ];
  el.foldersDefault.hidden = !state.defaultFolders;
  const restored = keepFocus(el.folderList, () =>
    fill(
      el.folderList,
      entries.length
        ? entries.map(({ path, kind }) =>
            h(
              "li",
              { class: "folder-item", title: path },
              icon(kind),
              h("span", { class: "path ellipsis" }, path),
              h(
                "button",
                {
                  type: "button",
                  class: "btn btn-icon btn-small",
                  "aria-label": t("folders.remove", { path }),
                  title: t("folders.removeShort"),
                  dataset: { focusKey: `remove:${path}` },
                  onclick: () => removeEntry(path),
                },
                icon("close"),
              ),
            ),
          )
        : h("li", { class: "hint" }, t("folders.empty")),
    ),
  );
  // The removed entry's button is gone: put the focus somewhere sensible.
  if (!restored && local.refocus && document.activeElement === document.body) local.refocus.focus();
  local.refocus = null;
}

async function removeEntry(path) {
  local.refocus = el.addFolder;
  await call("manager_remove", { path });
}

function drawKeystores() {
  const keystores = state.keystores || [];
  if (local.keystore && !keystores.some((k) => k.path === local.keystore)) selectKeystore(null);
  keepFocus(el.keystoreList, () =>
    fill(
      el.keystoreList,
      keystores.map((keystore) =>
        h(
          "div",
          {
            class: "choice",
            role: "radio",
            "aria-checked": String(keystore.path === local.keystore),
            tabindex: "-1",
            title: keystore.path,
            dataset: { path: keystore.path, focusKey: `keystore:${keystore.path}` },
          },
          h("span", { class: "choice-icon", "aria-hidden": "true" }, icon("file")),
          h(
            "span",
            { class: "choice-body" },
            h("span", { class: "choice-title" }, keystore.name || baseName(keystore.path)),
            h("span", { class: "choice-sub ellipsis" }, keystore.folder || ""),
          ),
          keystore.remembered
            ? h("span", { class: "key-mark", title: t("keystores.saved") }, icon("key"), h("span", { class: "visually-hidden" }, t("keystores.saved")))
            : null,
        ),
      ),
    ),
  );
  syncTabStop(el.keystoreList);
  el.keystoresEmpty.hidden = keystores.length > 0;
}

function selectKeystore(path) {
  if (path === local.keystore) return;
  local.keystore = path;
  local.opened = null;
  local.status.clear();
  resetPassword();
  showOpenError(null);
}

function drawDetail() {
  const keystore = (state.keystores || []).find((k) => k.path === local.keystore) || null;
  el.detailEmpty.hidden = Boolean(keystore);
  el.detailKeystore.hidden = !keystore;
  if (!keystore) return;
  el.detailName.textContent = keystore.name || baseName(keystore.path);
  el.detailPath.textContent = keystore.path;
  el.detailSaved.hidden = !keystore.remembered;
  el.savedRow.hidden = !keystore.remembered;
  const opened = local.opened && local.opened.path === keystore.path ? local.opened : null;
  el.openForm.hidden = Boolean(opened);
  el.open.disabled = local.opening;
  el.useSaved.disabled = local.opening;
  el.password.disabled = local.opening;
  el.open.classList.toggle("is-busy", local.opening);
  keepFocus(el.details, () => fill(el.details, opened ? (opened.certificates || []).map((c) => certificateDetails(keystore.path, c)) : null));
}

bindRadioGroup(el.keystoreList, {
  onSelect: (item, how) => {
    selectKeystore(item.dataset.path);
    check(el.keystoreList, item);
    drawDetail();
    if (how === "pointer" && !el.openForm.hidden) el.password.focus();
  },
  onActivate: (item) => {
    selectKeystore(item.dataset.path);
    check(el.keystoreList, item);
    drawDetail();
    if (!el.openForm.hidden) el.password.focus();
  },
});

function showOpenError(err) {
  el.openError.hidden = !err;
  if (err) fill(el.openError, icon("alert"), errorContent(err));
  else el.openError.replaceChildren();
  el.password.setAttribute("aria-invalid", String(Boolean(err && err.kind === "wrongPassword")));
  el.password.setAttribute("aria-describedby", err ? "manager-caps-hint open-error" : "manager-caps-hint");
}

async function openKeystore(password) {
  const path = local.keystore;
  if (!path || local.opening) return;
  if (password === "") {
    showOpenError({ kind: "passwordRequired" });
    el.password.focus();
    return;
  }
  el.password.value = "";
  local.opening = true;
  showOpenError(null);
  drawDetail();
  try {
    const result = await invoke("manager_open", { path, password });
    if (local.keystore === path) {
      local.opened = { ...result, path };
      local.status.clear();
    }
  } catch (err) {
    if (local.keystore === path) showOpenError(err);
  } finally {
    local.opening = false;
    if (state) drawDetail();
  }
  if (local.keystore !== path) return;
  if (local.opened) {
    const first = el.details.querySelector("h3");
    if (first) first.focus();
  } else {
    el.password.focus();
    el.password.select();
  }
}

el.openForm.addEventListener("submit", (event) => {
  event.preventDefault();
  openKeystore(el.password.value);
});
el.useSaved.addEventListener("click", () => openKeystore(null));
el.forget.addEventListener("click", async () => {
  if (!local.keystore) return;
  const { ok } = await call("manager_forget_password", { path: local.keystore });
  if (ok) el.password.focus();
});
el.addFolder.addEventListener("click", () => call("manager_add_folder"));
el.addFile.addEventListener("click", () => call("manager_add_file"));
el.rescan.addEventListener("click", () => call("manager_rescan"));

// One certificate's full details.
function certificateDetails(path, cert) {
  const info = cert.info || {};
  const index = cert.index;
  const validity = validityBadge(cert);
  const role = roleLabel(info.role);
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" }, local.status.get(index) || "");

  const rows = [
    ["field.owner", certOwner(info)],
    ["field.iin", info.iin, "mono-nums"],
    ["field.bin", info.bin, "mono-nums"],
    ["field.organization", info.organization],
    ["field.email", info.email],
    ["field.purpose", purposeLabel(info.purpose)],
    ["field.holder", holderLabel(info.holder)],
    ["field.role", role],
    ["field.algorithm", algorithmLabel(info.algorithm)],
    ["field.validity", t("cert.validRange", { from: formatDate(info.notBefore), to: formatDate(info.notAfter) })],
    ["field.serial", info.serial, "mono"],
    ["field.subject", info.subject],
    ["field.issuer", info.issuer],
    ["field.fingerprint", info.sha256Fingerprint ? fingerprint(info.sha256Fingerprint, index) : null],
    ["field.keyUsage", list((info.keyUsage || []).map(keyUsageLabel))],
    ["field.extKeyUsage", list((info.extKeyUsage || []).map(extKeyUsageLabel))],
    ["field.policies", list(info.policies || [], "mono")],
    ["field.subjectKeyId", info.subjectKeyId, "mono"],
    ["field.authorityKeyId", info.authorityKeyId, "mono"],
  ].filter(([, value]) => value !== null && value !== undefined && value !== "");

  const chain = Array.isArray(cert.chain) ? cert.chain : [];
  const exportButton = (format) =>
    h(
      "button",
      {
        type: "button",
        class: `btn btn-small export-${format}`,
        id: index === firstIndex() ? `export-${format}` : null,
        dataset: { index: String(index), focusKey: `export-${format}:${index}` },
        onclick: () => exportCertificate(path, index, format),
      },
      t(`details.export.${format}`),
    );

  return h(
    "article",
    { class: "cert-card", "aria-labelledby": `cert-title-${index}`, dataset: { index: String(index) } },
    h(
      "header",
      { class: "cert-card-head" },
      h(
        "div",
        null,
        h("h3", { id: `cert-title-${index}`, tabindex: "-1" }, certOwner(info)),
        h("p", { class: "sub" }, [purposeLabel(info.purpose), algorithmLabel(info.algorithm)].join(" · ")),
      ),
      h("div", { class: "badges" }, validity),
    ),
    h(
      "dl",
      { class: "fields" },
      rows.map(([key, value, cls]) => [h("dt", null, t(key)), h("dd", { class: cls || null }, value)]),
      chain.length
        ? [
            h("dt", { class: "section-row" }, t("field.chain")),
            h("dd", { class: "section-dd" }, h("ol", { class: "chain" }, chain.map(chainItem))),
          ]
        : null,
    ),
    h("footer", { class: "cert-actions" }, status, exportButton("pem"), exportButton("der")),
  );
}

function firstIndex() {
  const first = local.opened && local.opened.certificates && local.opened.certificates[0];
  return first ? first.index : null;
}

function validityBadge(cert) {
  const info = cert.info || {};
  const computed = validityState(info);
  const validity = cert.validity || computed.state;
  if (validity === "expired") return h("span", { class: "badge badge-danger" }, icon("alert"), t("badge.expired"));
  if (validity === "notYetValid") return h("span", { class: "badge badge-warn" }, icon("warning"), t("badge.notYetValid"));
  if (computed.state === "expiring") return h("span", { class: "badge badge-warn" }, icon("warning"), tp("badge.expiresIn", computed.days));
  return h("span", { class: "badge badge-ok" }, icon("check"), t("badge.valid"));
}

function list(items, cls) {
  if (!items.length) return null;
  return h("ul", null, items.map((item) => h("li", { class: cls || null }, item)));
}

function fingerprint(hex, index) {
  return h(
    "div",
    { class: "fingerprint" },
    h("code", { class: "selectable" }, fingerprintGroups(hex).map((line) => h("span", null, line))),
    h(
      "button",
      {
        type: "button",
        class: "btn btn-icon btn-small",
        "aria-label": t("details.copyFingerprint"),
        title: t("details.copyFingerprint"),
        dataset: { focusKey: `copy:${index}` },
        onclick: () => copyText(fingerprintColons(hex), index),
      },
      icon("copy"),
    ),
  );
}

function chainItem(link) {
  return h(
    "li",
    null,
    h("span", { class: "selectable" }, link.subject || "—"),
    h("span", { class: "sub cell-sub" }, t("chain.issuedBy", { issuer: link.issuer || "—" })),
    link.notAfter ? h("span", { class: "sub cell-sub" }, t("chain.validUntil", { date: formatDate(link.notAfter) })) : null,
    link.sha256Fingerprint ? h("code", { class: "sub cell-sub mono selectable" }, fingerprintColons(link.sha256Fingerprint)) : null,
  );
}

async function copyText(text, index) {
  let copied = false;
  try {
    await navigator.clipboard.writeText(text);
    copied = true;
  } catch {
    const area = h("textarea", { class: "visually-hidden", readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    copied = document.execCommand("copy");
    area.remove();
  }
  setCertStatus(index, t(copied ? "details.copied" : "details.copyFailed"));
}

async function exportCertificate(path, index, format) {
  const { ok, result } = await call("manager_export", { path, index, format });
  if (ok && result) setCertStatus(index, t("details.savedTo", { path: result }));
}

function setCertStatus(index, text) {
  local.status.set(index, text);
  const card = el.details.querySelector(`.cert-card[data-index="${CSS.escape(String(index))}"] .status`);
  if (card) card.textContent = text;
}

// ---------- sites tab ----------

function drawSites() {
  const sites = state.sites || [];
  el.siteTable.hidden = sites.length === 0;
  el.sitesEmpty.hidden = sites.length > 0;
  keepFocus(el.siteRows, () =>
    fill(
      el.siteRows,
      sites.map((site) => {
        const parts = originParts(site.origin);
        return h(
          "tr",
          { dataset: { origin: site.origin } },
          h(
            "td",
            { class: "site-origin selectable" },
            h("span", { class: "dim" }, parts.scheme),
            h("b", null, parts.host),
            h("span", { class: "dim" }, parts.port),
          ),
          h("td", null, h("time", { datetime: site.approved }, formatDate(site.approved, "medium"))),
          h(
            "td",
            null,
            site.lastUsed
              ? h("time", { datetime: site.lastUsed, title: formatDate(site.lastUsed, "long") }, formatRelative(site.lastUsed))
              : h("span", { class: "muted" }, t("sites.never")),
          ),
          h(
            "td",
            { class: "col-action" },
            h(
              "button",
              {
                type: "button",
                class: "btn btn-small btn-danger revoke",
                "aria-label": t("sites.revokeLabel", { origin: site.origin }),
                dataset: { focusKey: `revoke:${site.origin}` },
                onclick: () => revokeSite(site.origin),
              },
              t("sites.revoke"),
            ),
          ),
        );
      }),
    ),
  );
}

async function revokeSite(origin) {
  const rows = $$("tr[data-origin]", el.siteRows);
  const at = rows.findIndex((row) => row.dataset.origin === origin);
  const { ok } = await call("manager_revoke_site", { origin });
  await queue;
  if (!ok) return;
  const left = $$(".revoke", el.siteRows);
  (left[Math.min(at, left.length - 1)] || tabOf("sites")).focus();
}

// ---------- settings tab ----------

function drawSettings() {
  for (const radio of $$('input[name="lang"]')) radio.checked = radio.value === state.lang;
  el.autostart.checked = Boolean(state.autostart);
  const trusted = Boolean(state.about && state.about.tlsTrusted);
  fill(
    el.tlsState,
    icon(trusted ? "check" : "warning"),
    h("span", null, t(trusted ? "settings.tlsTrusted" : "settings.tlsNotTrusted")),
  );
  el.tlsState.className = `state ${trusted ? "state-ok" : "state-warn"}`;
}

for (const radio of $$('input[name="lang"]')) {
  radio.addEventListener("change", async () => {
    if (!radio.checked) return;
    const { ok } = await call("set_language", { lang: radio.value });
    if (!ok && state) drawSettings();
  });
}

el.autostart.addEventListener("change", async () => {
  const { ok } = await call("set_autostart", { enabled: el.autostart.checked });
  if (!ok && state) drawSettings();
});

el.trustTls.addEventListener("click", async () => {
  el.trustTls.disabled = true;
  el.trustTls.classList.add("is-busy");
  await call("trust_tls");
  el.trustTls.disabled = false;
  el.trustTls.classList.remove("is-busy");
});

// ---------- about tab ----------

function drawAbout() {
  const about = state.about || {};
  el.aboutVersion.textContent = t("about.version", { version: about.version || "?" });
  const port = String(about.address || "").split(":").pop();
  const status = {
    listening: ["state state-ok", "check", t("about.listening", { address: about.address || "" })],
    portInUse: ["state state-bad", "alert", t("tray.portInUse", { port })],
    stopped: ["state state-warn", "warning", t("about.stopped")],
  }[about.status] || ["state", "alert", t("about.unknownStatus")];
  fill(el.aboutStatus, h("span", { class: status[0] }, icon(status[1]), h("span", null, status[2])));
  fill(
    el.aboutTls,
    about.tlsTrusted
      ? h("span", { class: "state state-ok" }, icon("check"), h("span", null, t("about.tlsTrusted")))
      : h("span", { class: "state state-warn" }, icon("warning"), h("span", null, t("tray.tlsNotTrusted"))),
  );
  el.aboutConfig.textContent = about.configDir || "—";
}

// ---------- start ----------

async function start() {
  hydrateIcons(document);
  selectTab(location.hash.slice(1) || "certificates", { updateHash: false });
  await listen("manager-changed", (event) => render(event.payload));
  // The tray's "Allowed sites…" or "About" while the window is already open.
  await listen("manager-tab", (event) => selectTab(event.payload, { focus: true }));
  await listen("language-changed", (event) => {
    if (state) render({ ...state, lang: event.payload });
  });
  render(await invoke("manager_state"));
}

start().catch(async (err) => {
  await ensureStrings();
  showBanner(err);
});
