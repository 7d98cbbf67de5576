// Builds elements without ever parsing HTML: every string given here becomes a text node
// or an attribute value, so untrusted text (origins, names, documents, errors) stays text.

const SVG_NS = "http://www.w3.org/2000/svg";

/** h("p", {class: "x", dataset: {path}}, "text", child) */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") el.className = value;
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else el.setAttribute(name, value === true ? "" : String(value));
  }
  appendAll(el, children);
  return el;
}

function appendAll(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's children with the given ones. */
export function fill(el, ...children) {
  el.replaceChildren();
  appendAll(el, children);
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

// 24×24 stroke icons: strings are path data, objects are circles {c:[cx,cy,r]} or rects {r:[x,y,w,h,rx]}.
const ICONS = {
  key: [{ c: [7.5, 15.5, 4.5] }, "M10.7 12.3 20 3", "M16.5 6.5l2.5 2.5", "M14 9l2 2"],
  eye: ["M2.5 12S6 5.5 12 5.5 21.5 12 21.5 12 18 18.5 12 18.5 2.5 12 2.5 12z", { c: [12, 12, 3] }],
  eyeOff: [
    "M2.5 12S6 5.5 12 5.5 21.5 12 21.5 12 18 18.5 12 18.5 2.5 12 2.5 12z",
    { c: [12, 12, 3] },
    "M4 4l16 16",
  ],
  file: ["M6.5 3h7.5l4 4v13.5a.5.5 0 0 1-.5.5h-11a.5.5 0 0 1-.5-.5v-17a.5.5 0 0 1 .5-.5z", "M13.5 3v4.5H18"],
  folder: ["M3 6.5c0-.8.7-1.5 1.5-1.5H9l2 2.2h8.5c.8 0 1.5.7 1.5 1.5v9.3c0 .8-.7 1.5-1.5 1.5h-15c-.8 0-1.5-.7-1.5-1.5z"],
  close: ["M6 6l12 12", "M18 6 6 18"],
  refresh: ["M19.5 12a7.5 7.5 0 1 1-2.2-5.3", "M19.5 4v5h-5"],
  shield: ["M12 3 19.5 6v5.5c0 4.7-3.2 8.2-7.5 9.5-4.3-1.3-7.5-4.8-7.5-9.5V6z"],
  globe: [{ c: [12, 12, 9] }, "M3 12h18", "M12 3c2.8 2.6 3.8 5.6 3.8 9s-1 6.4-3.8 9c-2.8-2.6-3.8-5.6-3.8-9s1-6.4 3.8-9z"],
  alert: [{ c: [12, 12, 9] }, "M12 7.5v5.5", "M12 16.2v.3"],
  warning: ["M12 3.5 21.5 20h-19z", "M12 10v4.5", "M12 17.2v.3"],
  check: ["M5 12.5l4.5 4.5L19 7.5"],
  copy: [{ r: [9, 9, 11, 11, 1.5] }, "M5.5 15H5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1h9a1 1 0 0 1 1 1v.5"],
  lock: [{ r: [5, 10.5, 14, 10, 1.5] }, "M8 10.5V7.5a4 4 0 0 1 8 0v3"],
  unlock: [{ r: [5, 10.5, 14, 10, 1.5] }, "M8 10.5V7.5a4 4 0 0 1 7.7-1.5"],
  capslock: ["M12 4 19 11.5h-3.8V16H8.8v-4.5H5z", "M8.8 19.5h6.4"],
  document: ["M6.5 3h7.5l4 4v13.5a.5.5 0 0 1-.5.5h-11a.5.5 0 0 1-.5-.5v-17a.5.5 0 0 1 .5-.5z", "M13.5 3v4.5H18", "M9 12h6", "M9 15.5h6"],
  plus: ["M12 5v14", "M5 12h14"],
  back: ["M15 5l-7 7 7 7"],
};

/** An inline SVG icon, hidden from assistive technology (its button or text carries the name). */
export function icon(name, className = "icon") {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", className);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const shape of ICONS[name] || []) {
    let el;
    if (typeof shape === "string") {
      el = document.createElementNS(SVG_NS, "path");
      el.setAttribute("d", shape);
    } else if (shape.c) {
      el = document.createElementNS(SVG_NS, "circle");
      ["cx", "cy", "r"].forEach((attr, i) => el.setAttribute(attr, shape.c[i]));
    } else {
      el = document.createElementNS(SVG_NS, "rect");
      ["x", "y", "width", "height", "rx"].forEach((attr, i) => el.setAttribute(attr, shape.r[i]));
    }
    svg.append(el);
  }
  return svg;
}

/** Fills every <span data-icon="name"> placeholder in root with its SVG. */
export function hydrateIcons(root = document) {
  for (const el of root.querySelectorAll("[data-icon]")) {
    el.replaceChildren(icon(el.dataset.icon, el.dataset.iconClass || "icon"));
  }
}

/**
 * Runs redraw(), then puts the focus back on the element with the same data-focus-key
 * if the focus was inside container before. Returns whether it did.
 */
export function keepFocus(container, redraw) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset.focusKey : undefined;
  redraw();
  if (key === undefined) return false;
  const again = [...container.querySelectorAll("[data-focus-key]")].find((e) => e.dataset.focusKey === key);
  if (again) again.focus();
  return Boolean(again);
}
