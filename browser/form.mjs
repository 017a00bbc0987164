// One calculator's form on the page, bound through the markup of macros/widgets.py and driven by the
// calculator's description (fetched once per calculator per page load): it checks what the reader
// types with the description's grammar and rules (grammar.mjs), sends the inputs to the engine as a
// plain object, and writes the answer's texts and chart attributes into the page. It computes no
// figure and names no calculator, field or output: all of them come from the description and the answer.

import { engine } from "./engine.mjs";
import { check } from "./grammar.mjs";
import { UrlState } from "./url-state.mjs";

const NEAR = "600px 0px"; // start the engine when a calculator comes this close to the viewport
const PENDING = "…"; // a result row whose figures are not computed yet
const SVG_ATTRIBUTES = new Set(["points", "x1", "x2", "y1", "y2", "x", "y", "visibility"]);

const descriptions = new Map(); // calculator name -> Promise of its description

function describe(name, url) {
  if (!descriptions.has(name)) {
    const fetched = fetch(url).then((response) => {
      if (!response.ok) throw new Error(`its description could not be loaded (HTTP ${response.status})`);
      return response.json();
    }, () => { throw new Error("its description could not be loaded (network error)"); });
    fetched.catch(() => descriptions.delete(name)); // a later page may try again
    descriptions.set(name, fetched);
  }
  return descriptions.get(name);
}

function afterRender(callback) {
  const later = () => requestAnimationFrame(() => setTimeout(callback, 0));
  if (document.readyState === "complete") later();
  else addEventListener("load", later, { once: true });
}

// A copy of a template's content with "__i__" (a row's index: names, ids) and "__n__" (its number, for
// people) filled in.
function fromTemplate(template, index) {
  const node = template.content.cloneNode(true);
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

// The module names a row's field "positions[1].mmr"; the form names it "positions.1.mmr".
export const formName = (moduleName) => String(moduleName || "").replace(/\[(\d+)\]/g, ".$1");

export class Form {
  constructor(root) {
    this.root = root;
    const config = JSON.parse(root.dataset.livecalcConfig);
    this.name = config.calculator;
    this.key = config.key;
    this.initial = config.initial;
    const absolute = (url) => new URL(url, document.baseURI).href;
    this.urls = {
      ...config.engine,
      worker: absolute(config.engine.worker),
      indexURL: absolute(config.engine.indexURL),
      stdLibURL: absolute(config.engine.stdLibURL),
      appURL: absolute(config.engine.appURL),
    };
    engine.offer(this.urls, { calculator: this.name, inputs: this.initial });

    this.form = root.querySelector("form");
    this.statusElement = root.querySelector("[data-status]");
    this.formError = root.querySelector("[data-form-error]");
    this.rowsElement = root.querySelector("[data-input-rows]");
    this.rowTemplate = root.querySelector("template[data-template=input-row]");
    this.description = null; // until it is fetched
    this.problem = null; // why this form cannot work (its description is missing)
    this.inFlight = false;
    this.wanted = null;
    this.requested = false; // an edit came before the description
    this.invalid = false;
    this.painted = false;
    this.editAt = null;
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
    this.engineChanged();
    describe(this.name, config.engine.description).then(
      (description) => this.described(description),
      (error) => {
        this.problem = error.message;
        this.engineChanged();
      });
  }

  described(description) {
    this.description = description;
    this.fields = new Map(description.fields.map((field) => [field.name, field]));
    this.rowsInput = description.rows;
    this.rowFields = new Map((this.rowsInput ? this.rowsInput.fields : []).map((field) => [field.name, field]));
    this.url = new UrlState(this.key, description, this.initial);
    this.updateButtons();
    const restored = this.url.read();
    if (restored) {
      this.setState(restored);
      this.root.dataset.stale = "true";
    }
    if (restored || this.requested) afterRender(() => this.request());
  }

  // ---------------------------------------------------------------------------------- status

  engineChanged() {
    if (!this.root.isConnected) {
      this.unsubscribe();
      return;
    }
    const state = this.problem ? "failed" : engine.state;
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
        `The live calculator could not start: ${this.problem || engine.reason}. The figures shown are for ${shown}.`;
    }
  }

  // ---------------------------------------------------------------------------------- inputs

  control(name) {
    return this.form.elements.namedItem(name);
  }

  rows() {
    return this.rowsElement ? [...this.rowsElement.querySelectorAll(":scope > [data-input-row]")] : [];
  }

  // Every input, as typed: {field: text, ROWS: [{field: text}, ...]}.
  collect() {
    const inputs = {};
    for (const name of this.fields.keys()) inputs[name] = this.control(name).value;
    if (this.rowsInput) {
      const rowsName = this.rowsInput.name;
      inputs[rowsName] = this.rows().map((_, index) => {
        const row = {};
        for (const name of this.rowFields.keys()) row[name] = this.control(`${rowsName}.${index}.${name}`).value;
        return row;
      });
    }
    return inputs;
  }

  // Every control with its field's description: [[form name, field], ...].
  controls() {
    const all = [...this.fields].map(([name, field]) => [name, field]);
    if (this.rowsInput) {
      this.rows().forEach((_, index) => {
        for (const [name, field] of this.rowFields) all.push([`${this.rowsInput.name}.${index}.${name}`, field]);
      });
    }
    return all;
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
    for (const [name, field] of this.controls()) {
      const control = this.control(name);
      const reason = check(field, control.value, this.description.grammar);
      this.setError(control, reason && `${field.label} ${reason}.`);
      if (reason) valid = false;
    }
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
    if (!this.description) {
      this.requested = true; // sent once the description is here
      return;
    }
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

  // ---------------------------------------------------------------------------------- results

  apply(answer, inputs) {
    if (!this.root.isConnected) return;
    if (!answer.ok) {
      this.showModuleError(answer);
      return;
    }
    const texts = answer.texts || {};
    for (const tbody of this.root.querySelectorAll("tbody[data-rows]")) {
      this.resultRows(tbody, rowCount(texts, tbody.dataset.rows));
    }
    this.outputs ??= new Map([...this.root.querySelectorAll("[data-output]")].map((el) => [el.dataset.output, el]));
    for (const [key, text] of Object.entries(texts)) {
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
    this.url.save(inputs, () => this.root.isConnected);
  }

  // A results table with `count` rows: rows made from its template, "…" in their figures until an
  // answer writes them. With `pending`, every row's figures are cleared (the rows stand for other inputs now).
  resultRows(tbody, count, pending = false) {
    const rows = tbody.querySelectorAll(":scope > tr");
    if (rows.length === count) {
      if (pending) for (const cell of tbody.querySelectorAll("[data-output]")) cell.textContent = PENDING;
      return;
    }
    const template = this.root.querySelector(`template[data-template="${CSS.escape(tbody.dataset.rows)}"]`);
    if (!template) return;
    const made = [];
    for (let index = 0; index < count; index++) {
      const row = fromTemplate(template, index);
      for (const cell of row.querySelectorAll("[data-output]")) cell.textContent = PENDING;
      made.push(row);
    }
    tbody.replaceChildren(...made);
    this.outputs = null;
  }

  showModuleError(answer) {
    const name = formName(answer.field);
    const control = name ? this.control(name) : null;
    const reason = answer.reason || answer.message || "is not accepted";
    const field = this.fieldOf(name);
    if (control && control.dataset && control.dataset.errorId && field) {
      this.setError(control, `${field.label} ${reason}.`);
    } else {
      this.formError.textContent = answer.message || reason;
      this.formError.hidden = false;
    }
  }

  fieldOf(name) {
    const path = name.split(".");
    if (path.length === 1) return this.fields.get(name);
    if (path.length === 3 && this.rowsInput && path[0] === this.rowsInput.name) return this.rowFields.get(path[2]);
    return undefined;
  }

  // ---------------------------------------------------------------------------------- rows

  clicked(event) {
    const button = event.target.closest("[data-action]");
    if (!button || !this.root.contains(button) || !this.description || !this.rowsInput) return;
    const values = this.collect();
    const rows = values[this.rowsInput.name];
    if (button.dataset.action === "add-row") {
      if (rows.length >= this.rowsInput.max_rows) return;
      // A copy of the last row (a new row starts valid), its text fields named by their number.
      const added = { ...rows[rows.length - 1] };
      for (const [name, field] of this.rowFields) {
        if (field.kind === "text") added[name] = `${this.rowsInput.label} ${rows.length + 1}`;
      }
      rows.push(added);
      this.setState(values);
      this.rows().pop().querySelector("input, select").focus();
    } else if (button.dataset.action === "remove-row") {
      if (rows.length <= 1) return;
      const index = this.rows().indexOf(button.closest("[data-input-row]"));
      if (index < 0) return;
      rows.splice(index, 1);
      this.setState(values);
      const left = this.rows();
      left[Math.min(index, left.length - 1)].querySelector("[data-action=remove-row]").focus();
    } else {
      return;
    }
    this.editAt = performance.now();
    this.request();
  }

  // Puts a state ({field: text, ROWS: [...]}) into the form, making or dropping rows as needed.
  setState(state) {
    for (const name of this.fields.keys()) {
      if (state[name] !== undefined) this.control(name).value = state[name];
    }
    const rowsInput = this.rowsInput;
    if (!rowsInput || !this.rowsElement || !Array.isArray(state[rowsInput.name])) return;
    const wanted = state[rowsInput.name];
    const before = this.rows().length;
    if (before !== wanted.length) {
      this.rowsElement.replaceChildren(...wanted.map((_, index) => fromTemplate(this.rowTemplate, index)));
      // The results of the old rows no longer belong to any row: their figures go until the answer comes.
      for (const tbody of this.root.querySelectorAll("tbody[data-rows]")) {
        const mirrors = tbody.querySelectorAll(":scope > tr").length === before;
        this.resultRows(tbody, mirrors ? wanted.length : tbody.querySelectorAll(":scope > tr").length, true);
      }
    }
    wanted.forEach((row, index) => {
      for (const name of this.rowFields.keys()) {
        if (row[name] !== undefined) this.control(`${rowsInput.name}.${index}.${name}`).value = row[name];
      }
    });
    this.updateButtons();
  }

  updateButtons() {
    if (!this.rowsInput || !this.rowsElement) return;
    const count = this.rows().length;
    const add = this.root.querySelector("[data-action=add-row]");
    if (add) add.disabled = count >= this.rowsInput.max_rows;
    for (const button of this.root.querySelectorAll("[data-action=remove-row]")) button.disabled = count <= 1;
  }
}

// How many rows of the results table NAME an answer has (its texts' keys are NAME.N.COLUMN).
function rowCount(texts, name) {
  const prefix = `${name}.`;
  let count = 0;
  for (const key of Object.keys(texts)) {
    if (!key.startsWith(prefix)) continue;
    const index = key.slice(prefix.length).split(".")[0];
    if (/^\d+$/.test(index)) count = Math.max(count, Number(index) + 1);
  }
  return count;
}
