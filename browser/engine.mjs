// The page's side of the engine: one worker per tab (worker.mjs), started once, kept across Material's
// instant navigation (a module-level singleton), asked to run a calculator on a plain object of inputs.
//
// globalThis.livecalc = {engine, run}: for tests and benchmarks (bench/engine.py reads engine.state,
// .reason, .startedAt, .liveAt, .timings, .pageTimings, .snapshot and .workersStarted).

// No word from a starting engine for this long: give up and say so. The worker reports each step of
// its start (worker.mjs, mark()); the longest step without a word is Python's own start-up, one
// synchronous block of about 2 s on a quiet 2-core machine that took 5-12 s with four browser engines
// starting at once. Known faults (a missing file, a wrong MIME type) fail at once, not through this.
const SILENCE_MS = 30000;

export class Engine {
  constructor() {
    this.state = "idle"; // idle | loading | live | failed
    this.reason = "";
    this.worker = null;
    this.workersStarted = 0;
    this.urls = null; // the engine's addresses, from the first calculator bound (absolute URLs)
    this.probe = null; // {calculator, inputs}: the check of a start-up snapshot (see snapshot.mjs)
    this.listeners = new Set();
    this.pending = new Map();
    this.nextId = 1;
    this.timings = {}; // the worker's, in ms from startedAt (see worker.mjs)
    this.pageTimings = {}; // the page's share of the start (the runtime's WebAssembly), from startedAt
    this.startedAt = null;
    this.liveAt = null;
    this.snapshot = null; // {state: "stored" | "skipped" | "failed", ...} once the worker says
  }

  // Called by every calculator bound: the first one's addresses and first state are the engine's.
  offer(urls, probe) {
    this.urls ??= urls;
    this.probe ??= probe;
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
    // A reader who asked to save data gets no start-up snapshot stored on their device (snapshot.mjs).
    const saveData = Boolean(navigator.connection && navigator.connection.saveData);
    // origin: the engine's start on the clock both threads share, so the worker's timings add up to live.
    const origin = performance.timeOrigin + this.startedAt;
    this.worker.postMessage({
      type: "start",
      config: { indexURL, stdLibURL, appURL, lockInfo, saveData, origin, probe: this.probe },
    });
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
      this.snapshot = message;
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

  // The module's answer (presentation.display.answer) to one calculator's inputs, a plain object.
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

export const engine = (globalThis.__livecalcEngine ??= new Engine());

globalThis.livecalc ??= Object.freeze({
  engine,
  run: (calculator, inputs) => engine.run(calculator, inputs),
});
