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
const STATE_WORDS = { danger: "Warning", note: "Note" }; // as macros/widgets.py words them
const LIVE = "Live: the results follow your inputs.";
const NOT_UPDATED = "Not updated: the results are for the last valid inputs. Correct the marked field.";

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
    this.edited_ = null; // the name of the control the reader changed last

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
      this.statusElement.textContent = this.root.dataset.invalid !== undefined ? NOT_UPDATED : LIVE;
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
      if (reason) {
        valid = false;
        this.unfold(control);
      }
    }
    this.formError.hidden = true;
    this.formError.textContent = "";
    return valid;
  }

  // Opens the "More" fold around a control (an error in a folded field must be seen).
  unfold(control) {
    const folded = control.closest("details[data-more]");
    if (folded) folded.open = true;
  }

  // A field used only while another field has a value (a rate under no tier table): disabled, with
  // its note shown, while it is not used.
  usedWhen() {
    for (const control of this.form.querySelectorAll("[data-used-when]")) {
      const [other, value] = control.dataset.usedWhen.split("=");
      const prefix = control.name.slice(0, control.name.length - control.name.split(".").pop().length);
      const deciding = this.control(prefix + other) || this.control(other);
      const unused = Boolean(deciding) && deciding.value !== value;
      control.disabled = unused;
      // A value the grammar refuses cannot stay in a field the reader can no longer edit (it would
      // hold every result back): it goes back to the calculator's default, which is not used anyway.
      const field = this.fields && this.fields.get(control.name);
      const fallback = (this.description && this.description.defaults || {})[control.name];
      if (unused && field && fallback !== undefined && check(field, control.value, this.description.grammar)) {
        control.value = String(fallback);
        this.setError(control, "");
      }
      const note = control.closest(".livecalc__field").querySelector("[data-unused-note]");
      if (note) note.hidden = !unused;
    }
  }

  // Shows the inputs as valid or not: while they are not, every result is marked as not updated.
  setInvalid(invalid) {
    this.invalid = invalid;
    if (invalid) this.root.dataset.invalid = "true";
    else delete this.root.dataset.invalid;
    this.engineChanged();
  }

  edited(event) {
    if (!event.target.name) return;
    this.edited_ = event.target.name;
    this.usedWhen();
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
    this.setInvalid(!this.validate());
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
      this.setInvalid(true);
      return;
    }
    const texts = answer.texts || {};
    const marks = answer.marks || {};
    for (const tbody of this.root.querySelectorAll("tbody[data-rows]")) {
      this.resultRows(tbody, rowCount(texts, tbody.dataset.rows));
    }
    this.outputs ??= new Map([...this.root.querySelectorAll("[data-output]")].map((el) => [el.dataset.output, el]));
    for (const [key, text] of Object.entries(texts)) {
      const element = this.outputs.get(key);
      if (element && element.textContent !== text) element.textContent = text;
    }
    for (const element of this.root.querySelectorAll("[data-output], [data-summary-output]")) {
      const key = element.dataset.output ?? element.dataset.summaryOutput;
      if (element.dataset.summaryOutput !== undefined && key in texts) element.textContent = texts[key];
      if (marks[key]) element.dataset.sign = marks[key];
      else delete element.dataset.sign;
    }
    this.showStates(answer.states || []);
    this.showSummaryAlert(answer.states || []);
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
    delete this.root.dataset.pending;
    this.painted = true;
    const paintedAt = performance.now();
    this.root.dispatchEvent(new CustomEvent("livecalc:painted", {
      detail: { editAt: this.editAt, paintedAt, engineMs: answer.ms, outputs: answer.outputs },
    }));
    this.url.save(inputs, () => this.root.isConnected);
  }

  // The pinned summary's words for the first danger state (macros/widgets.py, summary_alert): the
  // message up to its first colon, so the figures' warning colour is never the only sign.
  showSummaryAlert(states) {
    const element = this.root.querySelector("[data-summary-alert]");
    if (!element) return;
    const danger = states.find((state) => state.level === "danger");
    const text = danger ? danger.message.split(":")[0].trim() : "";
    element.textContent = text;
    element.hidden = !text;
  }

  // The states of the results, in words; rewritten only when they change, since the region is
  // announced to screen readers.
  showStates(states) {
    const region = this.root.querySelector("[data-states]");
    if (!region) return;
    const said = states.map((state) => `${state.level}|${state.name}|${state.message}`).join("\n");
    if (region.dataset.said === said) return;
    region.dataset.said = said;
    region.replaceChildren(...states.map((state) => {
      const paragraph = document.createElement("p");
      paragraph.className = `livecalc__state livecalc__state--${state.level}`;
      paragraph.dataset.state = state.name;
      const strong = document.createElement("strong");
      strong.textContent = `${STATE_WORDS[state.level] || "Note"}:`;
      paragraph.append(strong, ` ${state.message}`);
      return paragraph;
    }));
  }

  // Every figure is cleared until the answer for the new rows comes: no figure of the old rows stays
  // beside them (balances, the chart, the states).
  clearResults() {
    this.root.dataset.pending = "true";
    for (const element of this.root.querySelectorAll("[data-output]:not(tbody[data-rows] *), [data-summary-output]")) {
      element.textContent = PENDING;
      delete element.dataset.sign;
    }
    for (const line of this.root.querySelectorAll("polyline[data-svg]")) line.setAttribute("points", "");
    const marker = this.root.querySelector('[data-svg="marker"]');
    if (marker) marker.setAttribute("visibility", "hidden");
    this.showStates([]);
    this.showSummaryAlert([]);
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
    let name = formName(answer.field);
    let reason = answer.reason || answer.message || "is not accepted";
    // A refused combination is reported at the field the reader changed, when it is one of it.
    const also = Object.fromEntries(Object.entries(answer.also || {}).map(([key, why]) => [formName(key), why]));
    if (this.edited_ && also[this.edited_]) {
      name = this.edited_;
      reason = also[name];
    }
    const control = name ? this.control(name) : null;
    const field = this.fieldOf(name);
    if (control && control.dataset && control.dataset.errorId && field) {
      this.setError(control, `${field.label} ${reason}.`);
      this.unfold(control);
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
    if (!button || !this.root.contains(button) || !this.description) return;
    if (button.dataset.action === "reset") {
      this.reset();
      return;
    }
    if (!this.rowsInput) return;
    const values = this.collect();
    const rows = values[this.rowsInput.name];
    this.edited_ = null;
    if (button.dataset.action === "add-row") {
      if (rows.length >= this.rowsInput.max_rows) return;
      rows.push(this.newRow());
      this.setState(values);
      this.rows().pop().querySelector("input, select").focus();
    } else if (button.dataset.action === "remove-row") {
      if (rows.length <= 1) return;
      const index = this.rows().indexOf(button.closest("[data-input-row]"));
      if (index < 0) return;
      rows.splice(index, 1);
      this.setState(values);
      // The next row's first field (the one that took the removed row's place), or after the last
      // row, the add button: never the top of the page.
      const left = this.rows();
      const next = index < left.length ? left[index].querySelector("input, select")
        : this.root.querySelector("[data-action=add-row]");
      (next && !next.disabled ? next : left[left.length - 1].querySelector("input, select")).focus();
    } else {
      return;
    }
    this.editAt = performance.now();
    this.request();
  }

  // A new row: its text fields (the asset) empty, for the reader to name, and its numbers those of
  // the calculator's default row, never a copy of another asset.
  newRow() {
    const defaults = (this.description.defaults || {})[this.rowsInput.name] || [];
    const model = defaults[0] || {};
    const row = {};
    for (const [name, field] of this.rowFields) {
      if (field.kind === "text") row[name] = "";
      else if (model[name] !== undefined) row[name] = String(model[name]);
      else row[name] = field.kind === "choice" ? field.choices[0][0] : "";
    }
    return row;
  }

  // Back to the worked example the page was built with; the scenario leaves the address.
  reset() {
    this.edited_ = null;
    const before = this.rows().length;
    this.setState(structuredClone(this.initial));
    if (this.rows().length === before) this.clearResults();
    this.url.clear();
    this.editAt = performance.now();
    this.request();
    const first = this.form.querySelector("input:not([disabled]), select:not([disabled])");
    if (first) first.focus();
  }

  // Puts a state ({field: text, ROWS: [...]}) into the form, making or dropping rows as needed.
  setState(state) {
    this.putState(state);
    this.usedWhen();
    this.updateButtons();
  }

  putState(state) {
    for (const name of this.fields.keys()) {
      if (state[name] !== undefined) this.control(name).value = state[name];
    }
    const rowsInput = this.rowsInput;
    if (!rowsInput || !this.rowsElement || !Array.isArray(state[rowsInput.name])) return;
    const wanted = state[rowsInput.name];
    const before = this.rows().length;
    if (before !== wanted.length) {
      this.rowsElement.replaceChildren(...wanted.map((_, index) => fromTemplate(this.rowTemplate, index)));
      this.clearResults();
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
