// livecalc widgets, the entry point: bind every calculator of a page (form.mjs) to the tab's one engine
// (engine.mjs), on the first page and after every Material instant navigation.
//
// Material's instant navigation replaces the page without reloading this module: forms bind on every
// `document$` emission, and the engine lives in a module-level singleton, so Pyodide starts at most
// once per tab.

import "./engine.mjs";
import { Form } from "./form.mjs";

const bound = new WeakSet();

function bindAll() {
  for (const root of document.querySelectorAll("[data-calculator][data-livecalc-config]")) {
    if (bound.has(root)) continue;
    bound.add(root);
    try {
      new Form(root);
    } catch (error) {
      const status = root.querySelector("[data-status]");
      if (status) {
        status.dataset.status = "failed";
        status.textContent = `The live calculator could not start: ${error.message}. The figures shown are the worked example's.`;
      }
    }
  }
}

bindAll();
if (globalThis.document$ && typeof globalThis.document$.subscribe === "function") {
  globalThis.document$.subscribe(() => bindAll());
}
