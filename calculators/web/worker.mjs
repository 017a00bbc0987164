// livecalc's engine: one module worker per tab, running calculators/ in Pyodide.
//
// Messages in:  {type: "start", config: {indexURL, stdLibURL, appURL, lockInfo}}
//               {type: "module", module}                    pyodide.asm.wasm, compiled by the page
//               {type: "run", id, calculator, inputs}      inputs: a plain object of typed text
// Messages out: {type: "progress"}                          while engine files are still downloading
//               {type: "live", timings}                     ready: every "run" is answered from now on
//               {type: "failed", reason}                    a short reason, shown to the reader
//               {type: "result", id, answer, ms}            answer: livecalc_web.display.answer(...)
//
// Inputs reach Python as data (pyodide.toPy); no Python source is ever built from them.

const APP_PATH = "/lib/livecalc.zip";
const HEARTBEAT_MS = 2000;

let ready = null; // Promise of {pyodide, answer} once "start" has been received
let failure = null;
let downloading = 0;

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
    run(message);
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
function guardFetch(wasmURL) {
  const original = self.fetch.bind(self);
  self.fetch = async (resource, init) => {
    const url = typeof resource === "string" ? resource : (resource && resource.url) || String(resource);
    const file = url.split(/[?#]/)[0].split("/").pop() || url;
    if (url === wasmURL) {
      // Already downloaded and compiled by the page (see pageModule): nothing to fetch here.
      return new Response(new Uint8Array(0), { headers: { "Content-Type": "application/wasm" } });
    }
    downloading += 1;
    try {
      const response = await original(resource, init);
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

async function start(config) {
  const began = performance.now();
  const timings = {};
  const mark = (name) => { timings[name] = Math.round(performance.now() - began); };
  const wasmURL = new URL("pyodide.asm.wasm", config.indexURL).href;
  guardFetch(wasmURL);
  // Pyodide instantiates its runtime with WebAssembly.instantiateStreaming (pinned 314.0.7); it gets
  // the page's compiled module instead of compiling its own copy.
  WebAssembly.instantiateStreaming = async (_source, imports) => {
    const module = await pageModule;
    mark("module");
    return { module, instance: await WebAssembly.instantiate(module, imports) };
  };
  const beat = setInterval(() => { if (downloading > 0) self.postMessage({ type: "progress" }); }, HEARTBEAT_MS);
  try {
    // The app zip downloads while Pyodide starts; it is written into the file system before Python runs.
    const app = self.fetch(config.appURL).then((response) => {
      if (!response.ok) throw new Error(`the calculators' package could not be loaded (HTTP ${response.status})`);
      return response.arrayBuffer();
    });
    app.catch(() => {});
    // pyodide.mjs imports pyodide.asm.mjs (1.2 MB) only once it has run: asking for both now saves a
    // round trip; the second import of the same URL is then served from this worker's module map.
    const runtime = import(config.indexURL + "pyodide.asm.mjs");
    runtime.catch(() => {});
    const { loadPyodide } = await import(config.indexURL + "pyodide.mjs");
    mark("script");
    const pyodide = await loadPyodide({
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
        } catch (error) {
          fail(short(error));
        }
      },
      stdout: () => {},
      stderr: () => {},
    });
    mark("pyodide");
    if (failure !== null) throw new Error(failure);
    const answer = pyodide.pyimport("livecalc_web.display").answer;
    mark("imported");
    self.postMessage({ type: "live", timings });
    return { pyodide, answer };
  } catch (error) {
    fail(short(error));
    throw error;
  } finally {
    clearInterval(beat);
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
  let raw = null;
  let result = null;
  let answer;
  try {
    raw = engine.pyodide.toPy(inputs);
    result = engine.answer(String(calculator), raw);
    answer = result.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
  } catch (error) {
    answer = { ok: false, field: "", message: `The calculator stopped on these inputs (${short(error)}).` };
  } finally {
    if (raw && typeof raw.destroy === "function") raw.destroy();
    if (result && typeof result.destroy === "function") result.destroy();
  }
  self.postMessage({ type: "result", id, answer, ms: performance.now() - began });
}
