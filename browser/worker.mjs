// livecalc's engine: one module worker per tab, running calculators/ in Pyodide.
//
// Messages in:  {type: "start", config: {indexURL, stdLibURL, appURL, lockInfo, saveData, origin, probe}}
//                                                           probe: {calculator, inputs}, see snapshot.mjs
//               {type: "module", module}                    pyodide.asm.wasm, compiled by the page
//               {type: "run", id, calculator, inputs}      inputs: a plain object of typed text
// Messages out: {type: "progress"}                          while engine files are still downloading
//               {type: "live", timings}                     ready: every "run" is answered from now on
//               {type: "failed", reason}                    a short reason, shown to the reader
//               {type: "result", id, answer, ms}            answer: presentation.display.answer(...)
//               {type: "snapshot", state, ...}              a start-up snapshot was stored / skipped / failed
//
// Inputs reach Python as data (pyodide.toPy); no Python source is ever built from them. Nothing here
// names a calculator: the page says which one to run.

const APP_PATH = "/lib/livecalc.zip";
const ANSWER = ["presentation.display", "answer"]; // the app's one entry point for the browser
const EVALUATED = performance.timeOrigin + performance.now(); // this module ran (its download and parse done)
const HEARTBEAT_MS = 2000;

// Pyodide's two scripts, asked for as soon as this module runs when the page put the runtime's
// address in this worker's URL (?runtime=); start() uses them when its config names the same address.
// pyodide.mjs imports pyodide.asm.mjs (1.2 MB) only once it has run: asking for both now saves a
// round trip; the second import of the same URL is then served from this worker's module map.
function importRuntime(indexURL) {
  const scripts = { main: import(indexURL + "pyodide.mjs"), asm: import(indexURL + "pyodide.asm.mjs") };
  scripts.main.catch(() => {});
  scripts.asm.catch(() => {});
  return { indexURL, ...scripts };
}
const HINTS = new URL(self.location.href).searchParams;
let runtimeScripts = HINTS.get("runtime") ? importRuntime(HINTS.get("runtime")) : null;
// The snapshots' module is imported, not a static dependency of this one: Pyodide's scripts are asked
// for without waiting for it to be fetched; it then looks for a stored snapshot (readEarly) at once.
const snapshotsModule = import("./snapshot.mjs");
snapshotsModule.then((snapshots) => snapshots.readEarly(HINTS), () => {});

let ready = null; // Promise of the engine ({pyodide, answer}) once "start" has been received
let failure = null;
let downloading = 0;
let running = 0; // runs being answered; a snapshot is made only when there are none
let lastRun = 0; // performance.now() of the last run

// The page compiles pyodide.asm.wasm and hands the module over: Chrome keeps compiled WebAssembly in
// its code cache only for modules compiled by a page, not by a worker, so a reader's second visit
// skips most of the compiling (measured: bench/engine.py).
let receiveModule;
const pageModule = new Promise((resolve) => { receiveModule = resolve; });

self.addEventListener("message", (event) => {
  const message = event.data || {};
  if (message.type === "start" && ready === null) {
    ready = start(message.config);
    ready.catch(() => {});
  } else if (message.type === "module") {
    receiveModule(message.module);
  } else if (message.type === "run") {
    running += 1;
    lastRun = performance.now();
    run(message).finally(() => { running -= 1; lastRun = performance.now(); });
  }
});

function short(error) {
  const text = String((error && error.message) || error || "unknown error").trim();
  const line = text.split("\n").filter(Boolean).pop() || text;
  return line.length > 160 ? line.slice(0, 157) + "..." : line;
}

function fail(reason) {
  if (failure !== null) return;
  failure = reason;
  self.postMessage({ type: "failed", reason });
}

// Pyodide fetches its files with the global fetch. Checking each response here turns the failures
// that would otherwise hang loadPyodide forever (a .wasm with the wrong MIME type, a missing file)
// into an immediate, named reason.
// `early` maps absolute URLs to fetches started before Pyodide asks for them (the standard library):
// Pyodide's own request for one of them gets that response.
function guardFetch(wasmURL, fetched = () => {}, early = new Map()) {
  const original = self.fetch.bind(self);
  self.fetch = async (resource, init) => {
    const url = typeof resource === "string" ? resource : (resource && resource.url) || String(resource);
    const file = url.split(/[?#]/)[0].split("/").pop() || url;
    if (url === wasmURL) {
      // Already downloaded and compiled by the page (see pageModule): nothing to fetch here.
      return new Response(new Uint8Array(0), { headers: { "Content-Type": "application/wasm" } });
    }
    const started = early.get(new URL(url, self.location.href).href);
    early.delete(new URL(url, self.location.href).href);
    downloading += 1;
    try {
      const response = await (started || original(resource, init));
      fetched(file);
      if (!response.ok) {
        fail(`${file} could not be loaded (HTTP ${response.status})`);
      } else if (file.endsWith(".wasm")) {
        const type = (response.headers.get("content-type") || "").split(";")[0].trim().toLowerCase();
        if (type !== "application/wasm") {
          fail(`${file} is served as ${type || "an unknown type"}; it must be application/wasm`);
        }
      }
      return response;
    } catch (error) {
      fail(`${file} could not be loaded (${navigator.onLine === false ? "offline" : "network error"})`);
      throw error;
    } finally {
      downloading -= 1;
    }
  };
}

function engineOf(pyodide) {
  return { pyodide, answer: pyodide.pyimport(ANSWER[0])[ANSWER[1]] };
}

async function start(config) {
  // Timings in ms from the engine's start on the page (the worker's creation), so that they add up to
  // the page's "live"; without the page's origin, from this call.
  const origin = Number(config.origin) || performance.timeOrigin + performance.now();
  const timings = {};
  const mark = (name, at = performance.timeOrigin + performance.now()) => {
    timings[name] = Math.round(at - origin);
    self.postMessage({ type: "progress" }); // a sign of life for the page's watchdog
  };
  timings.worker = Math.round(EVALUATED - origin);
  mark("start");
  const wasmURL = new URL("pyodide.asm.wasm", config.indexURL).href;
  // The standard library is asked for now, not once pyodide.mjs has run and been configured.
  const stdlib = new URL(config.stdLibURL, self.location.href).href;
  const early = new Map([[stdlib, self.fetch(stdlib)]]);
  early.get(stdlib).catch(() => {}); // Pyodide's own request reports a failure
  guardFetch(wasmURL, (file) => mark("fetched " + file.replace(/-[0-9a-f]{10}\.zip$/, ".zip")), early);
  // Pyodide instantiates its runtime with WebAssembly.instantiateStreaming (pinned 314.0.7); it gets
  // the page's compiled module instead of compiling its own copy.
  WebAssembly.instantiateStreaming = async (_source, imports) => {
    const module = await pageModule;
    mark("module");
    const instance = await WebAssembly.instantiate(module, imports);
    mark("instantiated");
    return { module, instance };
  };
  const beat = setInterval(() => { if (downloading > 0) self.postMessage({ type: "progress" }); }, HEARTBEAT_MS);
  try {
    // The app zip downloads while Pyodide starts; it is written into the file system before Python runs.
    const app = self.fetch(config.appURL).then((response) => {
      if (!response.ok) throw new Error(`the calculators' package could not be loaded (HTTP ${response.status})`);
      return response.arrayBuffer();
    });
    app.catch(() => {});
    if (!runtimeScripts || runtimeScripts.indexURL !== config.indexURL) runtimeScripts = importRuntime(config.indexURL);
    runtimeScripts.asm.then(() => mark("runtime_script"), () => {});
    const snapshots = await snapshotsModule;
    const opened = snapshots.open(config, mark);
    const { loadPyodide, version } = await runtimeScripts.main;
    mark("script");
    const options = {
      indexURL: config.indexURL,
      stdLibURL: config.stdLibURL,
      // The lock file lists Pyodide's optional packages; the calculators need none of them.
      lockFileContents: { info: config.lockInfo, packages: {} },
      // Code compiled at run time (dataclasses write their methods) skips column positions, as the
      // precompiled library does.
      env: { PYTHONPATH: APP_PATH, PYTHONNODEBUGRANGES: "1" },
      fsInit: async (FS) => {
        mark("runtime"); // the WebAssembly module is compiled and instantiated; Python starts next
        try {
          FS.writeFile(APP_PATH, new Uint8Array(await app));
          mark("app_written");
        } catch (error) {
          fail(short(error));
        }
      },
      stdout: () => {},
      stderr: () => {},
    };
    let engine = null;
    let making = opened.enabled;
    const snapshot = await opened.stored;
    if (snapshot && snapshot.version === version) {
      try {
        // The runtime is made while the snapshot is read; Python's memory is restored once it is filled.
        const fsInit = async (FS) => {
          await options.fsInit(FS);
          await snapshot.filled.catch(() => {}); // a refused one is left without Pyodide's magic number
        };
        const pyodide = await loadPyodide({ ...options, fsInit, ...snapshots.loadOptions(snapshot) });
        mark("restored");
        const restored = engineOf(pyodide);
        snapshots.check(snapshot, (calculator, inputs) => answerOf(restored, calculator, inputs));
        engine = restored;
        mark("pyodide");
        timings.from_snapshot = 1;
      } catch {
        if (failure !== null) throw new Error(failure);
        snapshots.forget();
        making = false; // not again in this visit: a browser that cannot restore one should not keep making them
      }
    } else if (snapshot) {
      snapshots.forget(); // another Pyodide's, or not a snapshot
      making = false;
    }
    if (engine === null) {
      const pyodide = await loadPyodide({ ...options, ...snapshots.loadOptions(null, making) });
      mark("pyodide");
      if (failure !== null) throw new Error(failure);
      engine = engineOf(pyodide);
      if (making) {
        snapshots.storeWhenIdle(opened, pyodide, version, config.probe, {
          idleFor: () => (running > 0 ? -1 : performance.now() - lastRun),
          answer: (calculator, inputs) => answerOf(engine, calculator, inputs),
          report: (state) => self.postMessage({ type: "snapshot", ...state }),
          short,
        });
      }
    }
    mark("imported");
    self.postMessage({ type: "live", timings });
    return engine;
  } catch (error) {
    fail(short(error));
    throw error;
  } finally {
    clearInterval(beat);
  }
}

// The answer of the app to one calculator's inputs, as plain data (the Python objects are freed).
function answerOf(engine, calculator, inputs) {
  let raw = null;
  let result = null;
  try {
    raw = engine.pyodide.toPy(inputs);
    result = engine.answer(String(calculator), raw);
    return result.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
  } finally {
    if (raw && typeof raw.destroy === "function") raw.destroy();
    if (result && typeof result.destroy === "function") result.destroy();
  }
}

async function run({ id, calculator, inputs }) {
  let engine;
  try {
    engine = await ready;
  } catch {
    return; // the page has been told: "failed"
  }
  if (!engine) return;
  const began = performance.now();
  let answer;
  try {
    answer = answerOf(engine, calculator, inputs);
  } catch (error) {
    answer = { ok: false, field: "", message: `The calculator stopped on these inputs (${short(error)}).` };
  }
  self.postMessage({ type: "result", id, answer, ms: performance.now() - began });
}

