// A password input with a show/hide toggle (aria-pressed) and a Caps Lock hint.

import { icon } from "./dom.js";

/** Wires the parts; returns reset(), which empties and hides the password again. */
export function passwordField({ input, toggle, capsHint }) {
  const setShown = (shown) => {
    input.type = shown ? "text" : "password";
    toggle.setAttribute("aria-pressed", String(shown));
    toggle.replaceChildren(icon(shown ? "eyeOff" : "eye"));
  };
  toggle.addEventListener("click", () => {
    setShown(input.type === "password");
    input.focus();
  });
  // Focus stays in the field when the toggle is clicked with the mouse.
  toggle.addEventListener("mousedown", (event) => event.preventDefault());

  const updateCaps = (event) => {
    if (typeof event.getModifierState === "function") {
      capsHint.hidden = !event.getModifierState("CapsLock");
    }
  };
  input.addEventListener("keydown", updateCaps);
  input.addEventListener("keyup", updateCaps);
  input.addEventListener("mousedown", updateCaps);
  input.addEventListener("blur", () => {
    capsHint.hidden = true;
  });

  setShown(false);
  return function reset() {
    input.value = "";
    setShown(false);
    capsHint.hidden = true;
  };
}
