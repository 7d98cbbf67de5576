// Keyboard and pointer behaviour of a list of [role=radio] items inside a [role=radiogroup]:
// one tab stop (the checked item), arrows/Home/End move and select, disabled items are skipped.

const enabled = (item) => item.getAttribute("aria-disabled") !== "true";

function items(group) {
  return [...group.querySelectorAll('[role="radio"]')];
}

/** Marks item checked (and the others not) and makes it the group's tab stop. */
export function check(group, item) {
  for (const other of items(group)) {
    other.setAttribute("aria-checked", String(other === item));
  }
  syncTabStop(group);
}

/** Gives the checked item, else the first enabled one, tabindex 0 and the rest -1. */
export function syncTabStop(group) {
  const all = items(group);
  const stop =
    all.find((item) => item.getAttribute("aria-checked") === "true") || all.find(enabled) || null;
  for (const item of all) item.tabIndex = item === stop ? 0 : -1;
  return stop;
}

/**
 * onSelect(item, how) runs when the user picks an item ("pointer" or "key");
 * onActivate(item) when they press Enter on one.
 */
export function bindRadioGroup(group, { onSelect, onActivate }) {
  group.addEventListener("click", (event) => {
    const item = event.target.closest('[role="radio"]');
    if (!item || !group.contains(item) || !enabled(item)) return;
    onSelect(item, "pointer");
  });
  group.addEventListener("keydown", (event) => {
    const item = event.target.closest('[role="radio"]');
    if (!item || !group.contains(item) || event.altKey || event.ctrlKey || event.metaKey) return;
    const list = items(group).filter(enabled);
    const at = list.indexOf(item);
    let next = null;
    switch (event.key) {
      case "ArrowDown":
      case "ArrowRight":
        next = list[(at + 1) % list.length];
        break;
      case "ArrowUp":
      case "ArrowLeft":
        next = list[(at - 1 + list.length) % list.length];
        break;
      case "Home":
        next = list[0];
        break;
      case "End":
        next = list[list.length - 1];
        break;
      case " ":
        if (enabled(item)) onSelect(item, "key");
        event.preventDefault();
        return;
      case "Enter":
        if (enabled(item) && onActivate) {
          event.preventDefault();
          onActivate(item);
        }
        return;
      default:
        return;
    }
    event.preventDefault();
    if (next) {
      next.focus();
      onSelect(next, "key");
    }
  });
}
