// livecalc widgets: bind each calculator of a page to the tab's one engine worker.
//
// The markup, the figures and the description come from the build (macros/widgets.py); this module
// only validates what the reader types (with the description's bounds), sends the inputs to the
// worker as a plain object, and writes the answers as text. No figure is computed here.
//
// Material's instant navigation replaces the page without reloading this module: widgets bind on
// every `document$` emission, and the engine lives in a module-level singleton, so Pyodide starts
// at most once per tab.

const SILENCE_MS = 12000; // no word from a starting engine for this long: give up and say so
const NEAR = "600px 0px"; // start the engine when a calculator comes this close to the viewport
const URL_DELAY_MS = 250;

// ------------------------------------------------------------------------------------------------
// The engine: one worker per tab
// ------------------------------------------------------------------------------------------------

class Engine {
  constructor() {
    this.state = "idle"; // idle | loading | live | failed
    this.reason = "";
    this.worker = null;
    this.workersStarted = 0;
    this.urls = null;
    this.listeners = new Set();
    this.pending = new Map();
    this.nextId = 1;
    this.timings = {}; // the worker's, in ms from startedAt (see worker.mjs)
    this.pageTimings = {}; // the page's share of the start (the runtime's WebAssembly), from startedAt
    this.startedAt = null;
    this.liveAt = null;
    this.snapshot = null;
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify() {
    for (const listener of [...this.listeners]) listener(this);
  }

  start(urls = this.urls) {
    if (this.state !== "idle" || !urls) return;
    this.state = "loading";
    this.startedAt = performance.now();
    performance.mark("livecalc:engine-start");
    this.notify();
    try {
      // The engine's addresses travel in the worker's URL too, so that the worker asks for Pyodide's
      // scripts and reads its stored snapshot as soon as it runs, before the "start" message reaches it.
      const script = new URL(urls.worker, location.href);
      script.searchParams.set("runtime", new URL(urls.indexURL, location.href).href);
      script.searchParams.set("stdlib", new URL(urls.stdLibURL, location.href).href);
      script.searchParams.set("app", new URL(urls.appURL, location.href).href);
      this.worker = new Worker(script, { type: "module", name: "livecalc" });
      this.workersStarted += 1;
    } catch (error) {
      this.fail(`the worker could not be created (${error.message})`);
      return;
    }
    this.worker.addEventListener("message", (event) => this.receive(event.data || {}));
    this.worker.addEventListener("error", (event) => {
      event.preventDefault();
      this.fail(this.state === "loading" ? "the calculator's script could not be loaded" : "the calculator stopped");
    });
    const { indexURL, stdLibURL, appURL, lockInfo } = urls;
    // A reader who asked to save data gets no start-up snapshot stored on their device (see worker.mjs).
    const saveData = Boolean(navigator.connection && navigator.connection.saveData);
    // origin: the engine's start on the clock both threads share, so the worker's timings add up to live.
    const origin = performance.timeOrigin + this.startedAt;
    this.worker.postMessage({ type: "start", config: { indexURL, stdLibURL, appURL, lockInfo, saveData, origin } });
    this.compileRuntime(new URL("pyodide.asm.wasm", indexURL).href);
  }

  // The page downloads and compiles Pyodide's WebAssembly and posts the module to the worker: Chrome
  // caches compiled WebAssembly for a page but not for a worker, so a second visit compiles far less.
  // A missing file or a wrong MIME type (which would make Pyodide wait forever) fails here at once.
  async compileRuntime(url) {
    this.compiling = true;
    try {
      let response;
      try {
        response = await fetch(url);
      } catch {
        throw new Error(`pyodide.asm.wasm could not be loaded (${navigator.onLine === false ? "offline" : "network error"})`);
      }
      if (!response.ok) throw new Error(`pyodide.asm.wasm could not be loaded (HTTP ${response.status})`);
      const type = (response.headers.get("content-type") || "").split(";")[0].trim().toLowerCase();
      if (type !== "application/wasm") {
        throw new Error(`pyodide.asm.wasm is served as ${type || "an unknown type"}; it must be application/wasm`);
      }
      this.pageTimings.wasm_response = Math.round(performance.now() - this.startedAt);
      const module = await WebAssembly.compileStreaming(response);
      this.pageTimings.wasm_compiled = Math.round(performance.now() - this.startedAt);
      if (this.state === "loading") this.worker.postMessage({ type: "module", module });
    } catch (error) {
      this.fail(error.message);
    } finally {
      this.compiling = false;
      this.watch();
    }
  }

  watch() {
    clearTimeout(this.watchdog);
    // While the page itself downloads and compiles the runtime it knows it is making progress.
    if (this.state === "loading" && !this.compiling) {
      this.watchdog = setTimeout(
        () => this.fail(`the engine gave no sign of life for ${SILENCE_MS / 1000} s`), SILENCE_MS);
    }
  }

  receive(message) {
    if (this.state === "failed") return;
    if (message.type === "progress") {
      this.watch();
    } else if (message.type === "live") {
      clearTimeout(this.watchdog);
      this.state = "live";
      this.liveAt = performance.now();
      this.timings = message.timings || {};
      performance.mark("livecalc:engine-live");
      this.notify();
    } else if (message.type === "snapshot") {
      this.snapshot = message; // {state: "stored" | "skipped" | "failed", ...}: for tests and bench/engine.py
    } else if (message.type === "failed") {
      this.fail(message.reason || "unknown reason");
    } else if (message.type === "result") {
      const waiting = this.pending.get(message.id);
      if (waiting) {
        this.pending.delete(message.id);
        waiting.resolve({ ...message.answer, ms: message.ms });
      }
    }
  }

  fail(reason) {
    if (this.state === "failed") return;
    clearTimeout(this.watchdog);
    this.state = "failed";
    this.reason = String(reason);
    if (this.worker) this.worker.terminate();
    for (const waiting of this.pending.values()) waiting.reject(new Error(this.reason));
    this.pending.clear();
    this.notify();
  }

  run(calculator, inputs) {
    if (this.state === "idle") this.start();
    if (this.state === "failed" || !this.worker) return Promise.reject(new Error(this.reason || "no engine"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: "run", id, calculator, inputs });
    });
  }
}

const engine = (globalThis.__livecalcEngine ??= new Engine());

// For tests and benchmarks: the answer of the module itself, computed in the worker.
globalThis.livecalc = Object.freeze({
  engine,
  run: (calculator, inputs) => engine.run(calculator, inputs),
});

// ------------------------------------------------------------------------------------------------
// Validation before the engine, from the description's bounds (the module checks again)
// ------------------------------------------------------------------------------------------------

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
const NOT_FINITE = /^[+-]?(inf|infinity|nan)$/i;
const GROUPED = /^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?$/;

function bound(value) {
  return Number(value).toLocaleString("en-US", { maximumFractionDigits: 8 });
}

export function problem(field, raw, maxText) {
  const value = raw == null ? "" : String(raw);
  if (field.kind === "choice") {
    const keys = field.choices.map(([key]) => key);
    return keys.includes(value) ? null : `must be one of ${keys.join(", ")}`;
  }
  if (field.kind === "text") {
    return value.length > maxText ? `is longer than ${maxText} characters` : null;
  }
  let text = value.trim().replaceAll("$", "");
  if (field.unit === "percent" && text.endsWith("%")) text = text.slice(0, -1).trim();
  if (field.unit === "multiple" && text.endsWith("x")) text = text.slice(0, -1).trim();
  if (!text) return "is empty";
  if (text.length > maxText) return `is longer than ${maxText} characters`;
  if (text.includes(",")) {
    // "65,000" groups thousands; "0,5" is a European decimal that would silently read as 5
    // (the module refuses it the same way).
    if (!GROUPED.test(text)) return "has a comma that does not group thousands: write decimals with a point (0.5)";
    text = text.replaceAll(",", "");
  }
  if (NOT_FINITE.test(text)) return "must be a finite number";
  if (!NUMBER.test(text)) return "is not a number";
  const number = Number(text);
  if (!Number.isFinite(number)) return "must be a finite number";
  if (field.minimum != null) {
    if (number < field.minimum || (number === field.minimum && !field.minimum_inclusive)) {
      return `must be ${field.minimum_inclusive ? "at least" : "above"} ${bound(field.minimum)}`;
    }
  }
  if (field.maximum != null && number > field.maximum) return `must be at most ${bound(field.maximum)}`;
  return null;
}

// ------------------------------------------------------------------------------------------------
// One calculator on the page
// ------------------------------------------------------------------------------------------------

function afterRender(callback) {
  const later = () => requestAnimationFrame(() => setTimeout(callback, 0));
  if (document.readyState === "complete") later();
  else addEventListener("load", later, { once: true });
}

function fill(node, index) {
  // A row template's "__i__" is the row's index (names, ids), "__n__" its number for people.
  const swap = (text) => text.replaceAll("__i__", String(index)).replaceAll("__n__", String(index + 1));
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let current = walker.currentNode; current; current = walker.nextNode()) {
    if (current.nodeType === Node.TEXT_NODE) {
      if (current.nodeValue.includes("__")) current.nodeValue = swap(current.nodeValue);
    } else if (current.nodeType === Node.ELEMENT_NODE) {
      for (const attribute of [...current.attributes]) {
        if (attribute.value.includes("__")) attribute.value = swap(attribute.value);
      }
    }
  }
  return node;
}

const SVG_ATTRIBUTES = new Set(["points", "x1", "x2", "y1", "y2", "x", "y", "visibility"]);

class Widget {
  constructor(root) {
    this.root = root;
    const config = JSON.parse(root.dataset.livecalcConfig);
    this.name = config.calculator;
    this.key = config.key;
    this.description = config.description;
    this.initial = config.initial;
    this.maxText = config.max_text || 64;
    const base = document.baseURI;
    const absolute = (url) => new URL(url, base).href;
    this.urls = {
      ...config.engine,
      worker: absolute(config.engine.worker),
      indexURL: absolute(config.engine.indexURL),
      stdLibURL: absolute(config.engine.stdLibURL),
      appURL: absolute(config.engine.appURL),
    };
    engine.urls ??= this.urls;

    this.form = root.querySelector("form");
    this.statusElement = root.querySelector("[data-status]");
    this.formError = root.querySelector("[data-form-error]");
    this.rowsElement = root.querySelector("[data-positions]");
    this.resultRows = root.querySelector("[data-rows]");
    this.fields = new Map(this.description.fields.map((field) => [field.name, field]));
    this.positionFields = new Map(this.description.position_fields.map((field) => [field.name, field]));
    this.inFlight = false;
    this.wanted = null;
    this.invalid = false;
    this.painted = false;
    this.editAt = null;
    this.urlTimer = null;
    this.outputs = null;

    this.form.addEventListener("submit", (event) => event.preventDefault());
    this.form.addEventListener("input", (event) => this.edited(event));
    root.addEventListener("click", (event) => this.clicked(event));
    root.addEventListener("focusin", () => afterRender(() => engine.start(this.urls)), { once: true });
    this.unsubscribe = engine.subscribe(() => this.engineChanged());
    // A reader who asked the browser to save data starts the engine by using a calculator, not by
    // scrolling past one.
    const saveData = Boolean(navigator.connection && navigator.connection.saveData);
    if (engine.state === "idle" && !saveData) {
      this.observer = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          this.observer.disconnect();
          afterRender(() => engine.start(this.urls));
        }
      }, { rootMargin: NEAR });
      this.observer.observe(root);
    }
    this.updateButtons();
    this.engineChanged();
    if (this.restore()) afterRender(() => this.request());
  }

  // ---------------------------------------------------------------------------------- status

  engineChanged() {
    if (!this.root.isConnected) {
      this.unsubscribe();
      return;
    }
    const state = engine.state;
    this.root.dataset.engine = state;
    this.statusElement.dataset.status = state === "idle" ? "loading" : state;
    if (state === "loading") {
      this.statusElement.textContent = "Starting the live calculator…";
    } else if (state === "live") {
      this.statusElement.textContent = "Live: the results follow your inputs.";
      if (this.wanted && !this.inFlight) this.send();
    } else if (state === "failed") {
      const shown = this.painted ? "the last inputs it computed" : "the worked example, computed when this page was built";
      this.statusElement.textContent =
        `The live calculator could not start: ${engine.reason}. The figures shown are for ${shown}.`;
    }
  }

  // ---------------------------------------------------------------------------------- inputs

  control(name) {
    return this.form.elements.namedItem(name);
  }

  rows() {
    return this.rowsElement ? [...this.rowsElement.querySelectorAll(":scope > [data-position]")] : [];
  }

  collect() {
    const inputs = {};
    for (const name of this.fields.keys()) inputs[name] = this.control(name).value;
    if (this.rowsElement) {
      inputs.positions = this.rows().map((_, index) => {
        const row = {};
        for (const name of this.positionFields.keys()) row[name] = this.control(`positions.${index}.${name}`).value;
        return row;
      });
    }
    return inputs;
  }

  setError(control, message) {
    const errorElement = document.getElementById(control.dataset.errorId);
    const hint = control.getAttribute("aria-describedby") || "";
    const ids = hint.split(" ").filter((id) => id && id !== control.dataset.errorId);
    if (message) {
      errorElement.textContent = message;
      errorElement.hidden = false;
      control.setAttribute("aria-invalid", "true");
      ids.push(control.dataset.errorId);
    } else {
      errorElement.textContent = "";
      errorElement.hidden = true;
      control.removeAttribute("aria-invalid");
    }
    if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
    else control.removeAttribute("aria-describedby");
  }

  validate() {
    let valid = true;
    const check = (name, field) => {
      const control = this.control(name);
      const reason = problem(field, control.value, this.maxText);
      this.setError(control, reason && `${field.label} ${reason}.`);
      if (reason) valid = false;
    };
    for (const [name, field] of this.fields) check(name, field);
    this.rows().forEach((_, index) => {
      for (const [name, field] of this.positionFields) check(`positions.${index}.${name}`, field);
    });
    this.formError.hidden = true;
    this.formError.textContent = "";
    return valid;
  }

  edited(event) {
    if (!event.target.name) return;
    this.editAt = performance.now();
    if (engine.state === "idle") afterRender(() => engine.start(this.urls));
    this.request();
  }

  request() {
    this.root.dataset.stale = "true";
    this.invalid = !this.validate();
    if (this.invalid) {
      this.wanted = null;
      return;
    }
    this.wanted = this.collect();
    if (engine.state === "idle") afterRender(() => engine.start(this.urls));
    if (engine.state === "live" && !this.inFlight) this.send();
  }

  async send() {
    const inputs = this.wanted;
    this.wanted = null;
    this.inFlight = true;
    let answer;
    try {
      answer = await engine.run(this.name, inputs);
    } catch {
      this.inFlight = false;
      return; // the engine failed: its status says so, the last figures stay
    }
    this.inFlight = false;
    if (this.wanted) {
      this.send(); // the reader typed on meanwhile: only the newest inputs matter
      return;
    }
    this.apply(answer, inputs);
  }

  apply(answer, inputs) {
    if (!this.root.isConnected) return;
    if (!answer.ok) {
      this.showModuleError(answer);
      return;
    }
    this.outputs ??= new Map([...this.root.querySelectorAll("[data-output]")].map((el) => [el.dataset.output, el]));
    for (const [key, text] of Object.entries(answer.texts || {})) {
      const element = this.outputs.get(key);
      if (element && element.textContent !== text) element.textContent = text;
    }
    for (const [key, attributes] of Object.entries(answer.svg || {})) {
      const element = this.root.querySelector(`[data-svg="${CSS.escape(key)}"]`);
      if (!element) continue;
      for (const [name, value] of Object.entries(attributes)) {
        if (name === "text") element.textContent = value;
        else if (SVG_ATTRIBUTES.has(name)) element.setAttribute(name, value);
      }
    }
    // An answer to earlier inputs still paints (the last good results), but stays marked as not
    // matching the form while the form holds a bad value.
    if (!this.invalid) delete this.root.dataset.stale;
    this.painted = true;
    const paintedAt = performance.now();
    this.root.dispatchEvent(new CustomEvent("livecalc:painted", {
      detail: { editAt: this.editAt, paintedAt, engineMs: answer.ms, outputs: answer.outputs },
    }));
    this.saveURL(inputs);
  }

  showModuleError(answer) {
    // The module names fields as "positions[1].mmr"; the form as "positions.1.mmr".
    const name = String(answer.field || "").replace(/\[(\d+)\]/g, ".$1");
    const control = name ? this.control(name) : null;
    const field = this.fields.get(name) || this.positionFields.get(name.split(".").pop());
    const reason = answer.reason || answer.message || "is not accepted";
    if (control && control.dataset && control.dataset.errorId && field) {
      this.setError(control, `${field.label} ${reason}.`);
    } else {
      this.formError.textContent = answer.message || reason;
      this.formError.hidden = false;
    }
  }

  // ---------------------------------------------------------------------------------- positions

  clicked(event) {
    const button = event.target.closest("[data-action]");
    if (!button || !this.root.contains(button)) return;
    const values = this.collect();
    if (button.dataset.action === "add-position") {
      if (values.positions.length >= this.description.max_positions) return;
      const last = values.positions[values.positions.length - 1];
      values.positions.push({ ...last, label: `Position ${values.positions.length + 1}` });
      this.setState(values);
      const added = this.rows().pop();
      added.querySelector("input, select").focus();
    } else if (button.dataset.action === "remove-position") {
      if (values.positions.length <= 1) return;
      const index = this.rows().indexOf(button.closest("[data-position]"));
      values.positions.splice(index, 1);
      this.setState(values);
      const rows = this.rows();
      const next = rows[Math.min(index, rows.length - 1)];
      next.querySelector("[data-action=remove-position]").focus();
    } else {
      return;
    }
    this.editAt = performance.now();
    this.request();
  }

  setState(state) {
    for (const name of this.fields.keys()) {
      if (state[name] !== undefined) this.control(name).value = state[name];
    }
    if (this.rowsElement && state.positions) {
      const template = this.root.querySelector("template[data-template=position]");
      const resultTemplate = this.root.querySelector("template[data-template=row]");
      const count = state.positions.length;
      if (this.rows().length !== count) {
        const rows = [];
        const results = [];
        for (let index = 0; index < count; index++) {
          rows.push(fill(template.content.cloneNode(true), index));
          const row = fill(resultTemplate.content.cloneNode(true), index);
          for (const cell of row.querySelectorAll("[data-output]")) cell.textContent = "…";
          results.push(row);
        }
        this.rowsElement.replaceChildren(...rows);
        this.resultRows.replaceChildren(...results);
        this.outputs = null;
      }
      state.positions.forEach((row, index) => {
        for (const name of this.positionFields.keys()) {
          if (row[name] !== undefined) this.control(`positions.${index}.${name}`).value = row[name];
        }
      });
      this.updateButtons();
    }
  }

  updateButtons() {
    if (!this.rowsElement) return;
    const count = this.rows().length;
    const add = this.root.querySelector("[data-action=add-position]");
    add.disabled = count >= this.description.max_positions;
    for (const button of this.root.querySelectorAll("[data-action=remove-position]")) button.disabled = count <= 1;
  }

  // ---------------------------------------------------------------------------------- URL state
  // Inputs live in the query string as KEY.FIELD=VALUE and KEY.positions.N.FIELD=VALUE, only
  // while they differ from the worked example, so a scenario can be shared and restored.

  flatten(state) {
    const pairs = [];
    for (const name of this.fields.keys()) pairs.push([`${this.key}.${name}`, state[name]]);
    (state.positions || []).forEach((row, index) => {
      for (const name of this.positionFields.keys()) pairs.push([`${this.key}.positions.${index}.${name}`, row[name]]);
    });
    return pairs;
  }

  saveURL(state) {
    clearTimeout(this.urlTimer);
    this.urlTimer = setTimeout(() => {
      if (!this.root.isConnected) return;
      const url = new URL(location.href);
      const prefix = `${this.key}.`;
      for (const name of [...url.searchParams.keys()]) if (name.startsWith(prefix)) url.searchParams.delete(name);
      const mine = this.flatten(state);
      const initial = new Map(this.flatten(this.initial));
      const changed = mine.length !== initial.size || mine.some(([name, value]) => initial.get(name) !== value);
      if (changed) for (const [name, value] of mine) url.searchParams.append(name, value);
      if (url.href !== location.href) history.replaceState(history.state, "", url.href);
    }, URL_DELAY_MS);
  }

  restore() {
    const prefix = `${this.key}.`;
    const given = [...new URLSearchParams(location.search)].filter(([name]) => name.startsWith(prefix));
    if (!given.length) return false;
    const state = structuredClone(this.initial);
    const rows = [];
    for (const [name, value] of given) {
      const path = name.slice(prefix.length).split(".");
      if (path.length === 1 && this.fields.has(path[0])) {
        state[path[0]] = value;
      } else if (path.length === 3 && path[0] === "positions" && /^\d{1,3}$/.test(path[1])
                 && this.positionFields.has(path[2]) && Number(path[1]) < (this.description.max_positions || 0)) {
        (rows[Number(path[1])] ??= {})[path[2]] = value;
      }
    }
    if (rows.length && state.positions) {
      const template = state.positions[state.positions.length - 1];
      state.positions = Array.from(rows, (row, index) => ({ ...(state.positions[index] || template), ...row }));
    }
    this.setState(state);
    this.root.dataset.stale = "true";
    return true;
  }
}

// ------------------------------------------------------------------------------------------------
// Binding, on the first page and after every instant navigation
// ------------------------------------------------------------------------------------------------

const boundRoots = new WeakSet();

function bindAll() {
  for (const root of document.querySelectorAll("[data-calculator]")) {
    if (boundRoots.has(root)) continue;
    boundRoots.add(root);
    try {
      new Widget(root);
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
