// Shared formatting of certificates, dates, sizes and origins, in the current language.

import { t, has, locale } from "./i18n.js";

const DAY = 24 * 60 * 60 * 1000;

function toDate(iso) {
  const date = iso ? new Date(iso) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

// Some webviews claim a locale but lack its data (Chromium's trimmed ICU formats kk as "2026 M11 23"):
// then dates use the month names and pattern from the strings instead.
const intlKnows = new Map();
function intlSpeaks(loc) {
  if (!intlKnows.has(loc)) {
    const month = new Intl.DateTimeFormat(loc, { month: "long" }).format(new Date(2020, 0, 15));
    intlKnows.set(loc, loc.startsWith("en") || /[\u0400-\u04ff]/.test(month));
  }
  return intlKnows.get(loc);
}

/** "23 November 2026" in the current language; the raw text when it is not a date. */
export function formatDate(iso, style = "long") {
  const date = toDate(iso);
  if (!date) return iso ? String(iso) : "—";
  if (!intlSpeaks(locale())) {
    const months = t("date.months").split(",");
    return t("date.long", { day: date.getDate(), month: months[date.getMonth()] || date.getMonth() + 1, year: date.getFullYear() });
  }
  return new Intl.DateTimeFormat(locale(), { dateStyle: style }).format(date);
}

/** "3 days ago", "yesterday", "in 2 months" (the date itself where the webview cannot say it). */
export function formatRelative(iso, now = Date.now()) {
  const date = toDate(iso);
  if (!date) return iso ? String(iso) : "—";
  if (!intlSpeaks(locale())) return formatDate(iso);
  const seconds = (date.getTime() - now) / 1000;
  const abs = Math.abs(seconds);
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: "auto" });
  const units = [
    [60, "second", 1],
    [3600, "minute", 60],
    [86400, "hour", 3600],
    [86400 * 30, "day", 86400],
    [86400 * 365, "month", 86400 * 30],
    [Infinity, "year", 86400 * 365],
  ];
  const [, unit, size] = units.find(([limit]) => abs < limit);
  return rtf.format(Math.round(seconds / size), unit);
}

/** "12.1 kB" with the language's unit names. */
export function formatSize(bytes) {
  const n = Number(bytes) || 0;
  const [value, unit] =
    n < 1024 ? [n, "byte"] : n < 1024 * 1024 ? [n / 1024, "kilobyte"] : [n / (1024 * 1024), "megabyte"];
  return new Intl.NumberFormat(locale(), {
    style: "unit",
    unit,
    unitDisplay: unit === "byte" ? "long" : "short",
    maximumFractionDigits: value < 10 && unit !== "byte" ? 1 : 0,
  }).format(value);
}

/** The origin split for display: scheme ("https://"), host, port (":8443" or ""). */
export function originParts(origin) {
  const text = String(origin ?? "");
  try {
    const url = new URL(text);
    if (!url.host) throw new Error("no host");
    return { scheme: `${url.protocol}//`, host: url.hostname, port: url.port ? `:${url.port}` : "", secure: url.protocol === "https:", local: isLoopback(url.hostname) };
  } catch {
    return { scheme: "", host: text, port: "", secure: false, local: false };
  }
}

function isLoopback(host) {
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The person the certificate names: full name, else the subject's CN. */
export function certOwner(info) {
  return info?.fullName || info?.subjectCn || info?.subject || "—";
}

export function algorithmLabel(algorithm) {
  return t(has(`algorithm.${algorithm}`) ? `algorithm.${algorithm}` : "algorithm.other");
}

export function purposeLabel(purpose) {
  return t(has(`purpose.${purpose}`) ? `purpose.${purpose}` : "purpose.UNKNOWN");
}

export function holderLabel(holder) {
  return t(has(`holder.${holder}`) ? `holder.${holder}` : "holder.unknown");
}

/** The role of an organisation's employee, or null for none/unknown. */
export function roleLabel(role) {
  return role && has(`role.${role}`) ? t(`role.${role}`) : null;
}

/** A key usage name ("digitalSignature") in words, or as it is when unknown. */
export function keyUsageLabel(usage) {
  return has(`keyUsage.${usage}`) ? t(`keyUsage.${usage}`) : usage;
}

/** An extended key usage OID with its name when known: "E-mail protection (1.3.6.1.5.5.7.3.4)". */
export function extKeyUsageLabel(oid) {
  return has(`eku.${oid}`) ? `${t(`eku.${oid}`)} (${oid})` : oid;
}

/** Where a certificate stands today: {state: "valid"|"expiring"|"expired"|"notYetValid", days}. */
export function validityState(info, now = Date.now()) {
  const from = toDate(info?.notBefore);
  const to = toDate(info?.notAfter);
  if (from && from.getTime() > now) return { state: "notYetValid", days: 0 };
  if (to && to.getTime() < now) return { state: "expired", days: 0 };
  const days = to ? Math.ceil((to.getTime() - now) / DAY) : Infinity;
  return { state: days <= 30 ? "expiring" : "valid", days };
}

/** "F1 E1 5E …": the hex in upper-case pairs, as groups of 8 pairs (two groups fit a line). */
export function fingerprintGroups(hex) {
  const pairs = String(hex || "").replace(/[^0-9a-f]/gi, "").toUpperCase().match(/../g) || [];
  const groups = [];
  for (let i = 0; i < pairs.length; i += 8) groups.push(pairs.slice(i, i + 8).join(" "));
  return groups;
}

/** "F1:E1:5E:…", the form openssl prints, for the clipboard. */
export function fingerprintColons(hex) {
  return (String(hex || "").replace(/[^0-9a-f]/gi, "").toUpperCase().match(/../g) || []).join(":");
}

/** "AUTH_RSA256_x.p12" from a path with / or \ separators. */
export function baseName(path) {
  const parts = String(path || "").split(/[\\/]/);
  return parts[parts.length - 1] || String(path || "");
}
