// livecalc's engine: one module worker per tab, running calculators/ in Pyodide.
//
// Messages in:  {type: "start", config: {indexURL, stdLibURL, appURL, lockInfo, saveData}}
//               {type: "module", module}                    pyodide.asm.wasm, compiled by the page
//               {type: "run", id, calculator, inputs}      inputs: a plain object of typed text
// Messages out: {type: "progress"}                          while engine files are still downloading
//               {type: "live", timings}                     ready: every "run" is answered from now on
//               {type: "failed", reason}                    a short reason, shown to the reader
//               {type: "result", id, answer, ms}            answer: livecalc_web.display.answer(...)
//               {type: "snapshot", state, ...}              a start-up snapshot was stored / skipped / failed
//
// A later visit starts from a memory snapshot of this engine, made in the reader's own browser once
// the engine is live and idle (never before the first figure) and kept in Cache Storage under the
// exact Pyodide runtime, standard library, app and worker it was made with (see "Snapshots" below).
// Nothing extra is downloaded; a missing, broken or stale snapshot means the normal start.
//
// Inputs reach Python as data (pyodide.toPy); no Python source is ever built from them.

const APP_PATH = "/lib/livecalc.zip";
const HEARTBEAT_MS = 2000;

let ready = null; // Promise of {pyodide, answer} once "start" has been received
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


// ------------------------------------------------------------------------------------------ Snapshots
//
// Pyodide (pinned 314.0.7) can start from a copy of a running interpreter's memory (the private
// options _makeSnapshot / _loadSnapshot, checked against its build id). Starting from one skips
// Python's own start-up and the imports (about 0.5 s on a 2-core machine; bench/engine.py). A
// snapshot is ~31 MB of memory, ~4 MB gzipped: it is made on the reader's machine, never downloaded,
// and only when the reader has not asked to save data and the browser has room for it.

const SNAPSHOT_CACHE = "livecalc-engine-snapshots";
const SNAPSHOT_IDLE_MS = 2000; // no run for this long after live: the engine is idle
const SNAPSHOT_MIN_FREE = 256 * 1024 * 1024; // storage left over before one is made
// One answer computed before a snapshot is made and again after it is restored: a restored engine
// must give it exactly, or the snapshot is dropped and the engine starts normally.
const PROBE = ["isolated", { side: "long", entry_price: "65000", leverage: "10", margin: "1000", mmr: "0.5",
  tier_table: "none", model: "exchange" }];

function snapshotsPossible(config) {
  return !config.saveData && !(self.navigator.connection && self.navigator.connection.saveData) &&
    typeof caches !== "undefined" && typeof CompressionStream !== "undefined" &&
    typeof DecompressionStream !== "undefined";
}

// The snapshot's key names everything its memory depends on: the runtime's folder (the Pyodide
// version, or the CDN address), the standard library and the app (their names carry their content
// hashes) and this worker (its URL carries its hash, and it decides how Pyodide is started).
function snapshotKey(config) {
  const absolute = (url) => new URL(url, self.location.href).href;
  const key = new URLSearchParams({ runtime: absolute(config.indexURL), stdlib: absolute(config.stdLibURL),
    app: absolute(config.appURL), worker: self.location.href });
  return new URL("livecalc-engine-snapshot?" + key, self.location.href).href;
}

async function forgetSnapshots(keep = null) {
  try {
    const cache = await caches.open(SNAPSHOT_CACHE);
    for (const request of await cache.keys()) {
      if (request.url !== keep) await cache.delete(request);
    }
  } catch {
    // nothing stored, or storage unavailable: nothing to forget
  }
}

// The stored snapshot for this key, unpacked, or null. A damaged one (the gzip check fails) is deleted.
async function readSnapshot(key) {
  let stored;
  try {
    stored = await (await caches.open(SNAPSHOT_CACHE)).match(key);
  } catch {
    return null;
  }
  if (!stored) return null;
  try {
    const unpacked = stored.body.pipeThrough(new DecompressionStream("gzip"));
    const bytes = new Uint8Array(await new Response(unpacked).arrayBuffer());
    return { bytes, version: stored.headers.get("x-livecalc-pyodide"),
      probe: decodeURIComponent(stored.headers.get("x-livecalc-probe") || "") };
  } catch {
    await forgetSnapshots();
    return null;
  }
}

// Pyodide 314's snapshot: a 32-bit magic number, the offset of the memory, then memory in 64 KiB pages.
// Anything else is refused before Pyodide sees it (a wrong size would make its start wait forever).
const SNAPSHOT_MAGIC = 1886286592;

function plausible(bytes) {
  if (bytes.byteLength < 64 || bytes.byteLength % 4 !== 0) return false;
  const head = new Uint32Array(bytes.buffer, bytes.byteOffset, 4);
  const memory = bytes.byteLength - head[1];
  return head[0] === SNAPSHOT_MAGIC && head[1] >= 48 && memory >= 16 * 65536 && memory % 65536 === 0;
}

function probe(engine) {
  return JSON.stringify(answerOf(engine, PROBE[0], PROBE[1]));
}

// Made once the engine has been idle for a while; a reader's edit meanwhile waits a few tens of ms at most.
function snapshotWhenIdle(engine, key, version) {
  const attempt = async () => {
    if (running > 0 || performance.now() - lastRun < SNAPSHOT_IDLE_MS) {
      setTimeout(attempt, SNAPSHOT_IDLE_MS);
      return;
    }
    try {
      const { quota = 0, usage = 0 } = await self.navigator.storage.estimate();
      if (quota - usage < SNAPSHOT_MIN_FREE) {
        self.postMessage({ type: "snapshot", state: "skipped", reason: "little storage left" });
        return;
      }
      const began = performance.now();
      const expected = probe(engine);
      const memory = engine.pyodide.makeMemorySnapshot();
      const made = performance.now() - began;
      const packed = await new Response(new Blob([memory]).stream().pipeThrough(new CompressionStream("gzip"))).blob();
      const cache = await caches.open(SNAPSHOT_CACHE);
      await cache.put(key, new Response(packed, { headers: { "content-type": "application/octet-stream",
        "x-livecalc-pyodide": version, "x-livecalc-probe": encodeURIComponent(expected) } }));
      await forgetSnapshots(key);
      self.postMessage({ type: "snapshot", state: "stored", bytes: packed.size, memory: memory.length,
        ms: Math.round(performance.now() - began), blocked_ms: Math.round(made) });
    } catch (error) {
      await forgetSnapshots();
      self.postMessage({ type: "snapshot", state: "failed", reason: short(error) });
    }
  };
  setTimeout(attempt, SNAPSHOT_IDLE_MS);
}

// ------------------------------------------------------------------------------------------ Start

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
    let snapshots = snapshotsPossible(config);
    const key = snapshots ? snapshotKey(config) : null;
    const stored = snapshots ? readSnapshot(key) : Promise.resolve(null);
    const { loadPyodide, version } = await import(config.indexURL + "pyodide.mjs");
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
        } catch (error) {
          fail(short(error));
        }
      },
      stdout: () => {},
      stderr: () => {},
    };
    let engine = null;
    const snapshot = await stored;
    if (snapshot && snapshot.version === version && plausible(snapshot.bytes)) {
      mark("snapshot_read");
      try {
        const pyodide = await loadPyodide({ ...options, _loadSnapshot: snapshot.bytes });
        const restored = { pyodide, answer: pyodide.pyimport("livecalc_web.display").answer };
        if (probe(restored) !== snapshot.probe) throw new Error("the restored engine answers differently");
        engine = restored;
        mark("pyodide");
        timings.from_snapshot = 1;
      } catch {
        if (failure !== null) throw new Error(failure);
        forgetSnapshots();
        snapshots = false; // not again in this visit: a browser that cannot restore one should not keep making them
      }
    } else if (snapshot) {
      forgetSnapshots(); // another Pyodide's, or not a snapshot
      snapshots = false;
    }
    if (engine === null) {
      const pyodide = await loadPyodide({ ...options, _makeSnapshot: snapshots });
      mark("pyodide");
      if (failure !== null) throw new Error(failure);
      engine = { pyodide, answer: pyodide.pyimport("livecalc_web.display").answer };
      if (snapshots) snapshotWhenIdle(engine, key, version);
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
