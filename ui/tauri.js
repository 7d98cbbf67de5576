// The only door to the Rust side. Tests replace window.__TAURI__ before this module runs.

function tauri() {
  const api = window.__TAURI__;
  if (!api || !api.core || !api.event) {
    throw new Error("window.__TAURI__ is missing: is withGlobalTauri on?");
  }
  return api;
}

/** Calls a Rust command; resolves with its result, rejects with its error value. */
export function invoke(cmd, args) {
  return tauri().core.invoke(cmd, args);
}

/** Listens to an app event; resolves with the unlisten function. */
export function listen(name, callback) {
  return tauri().event.listen(name, callback);
}
