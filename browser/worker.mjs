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
let earlySnapshot = null; // {key, read, marks}: the stored snapshot's read, begun at the end of this module

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


// ------------------------------------------------------------------------------------------ Snapshots
//
// Pyodide (pinned 314.0.7) can start from a copy of a running interpreter's memory (the private
// options _makeSnapshot / _loadSnapshot, checked against its build id). Starting from one skips
// Python's own start-up and the imports (about 0.5 s on a 2-core machine; bench/engine.py). A
// snapshot is ~31 MB of memory, two thirds of it runs of zeros: it is stored without them (~10.5 MB,
// see "packSnapshot"), made on the reader's machine, never downloaded, and only when the reader has
// not asked to save data and the browser has room for it. It is not gzipped: unpacking 31 MB with
// DecompressionStream took 200-300 ms of the worker's time at every start, filling in the zeros takes
// a few ms (bench/engine.py, engine_warm_ms).

const SNAPSHOT_CACHE = "livecalc-engine-snapshots";
const SNAPSHOT_IDLE_MS = 2000; // no run for this long after live: the engine is idle
const SNAPSHOT_MIN_FREE = 256 * 1024 * 1024; // storage left over before one is made
// One answer computed before a snapshot is made and again after it is restored: a restored engine
// must give it exactly, or the snapshot is dropped and the engine starts normally.
const PROBE = ["isolated", { side: "long", entry_price: "65000", leverage: "10", margin: "1000", mmr: "0.5",
  tier_table: "none", model: "exchange" }];

function snapshotsPossible(config) {
  return !config.saveData && !(self.navigator.connection && self.navigator.connection.saveData) &&
    typeof caches !== "undefined";
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

// The stored snapshot for this key, or null: {version, probe, bytes}, where bytes is a promise of the
// memory, unpacked and checked (it rejects for a damaged one or anything that is not a snapshot), so
// that Pyodide can start while it is read. The caller deletes one that is refused.
async function readSnapshot(key, mark = () => {}) {
  let stored;
  try {
    stored = await (await caches.open(SNAPSHOT_CACHE)).match(key);
  } catch {
    return null;
  }
  mark("snapshot_found");
  if (!stored) return null;
  const bytes = stored.arrayBuffer().then((packed) => {
    mark("snapshot_loaded");
    const memory = unpackSnapshot(new Uint8Array(packed));
    if (!plausible(memory)) throw new Error("not a snapshot");
    mark("snapshot_unpacked");
    return memory;
  });
  bytes.catch(() => {});
  let probe = "";
  try {
    probe = decodeURIComponent(stored.headers.get("x-livecalc-probe") || "");
  } catch {
    // a damaged header: the restored engine's answer will not match it
  }
  return { bytes, version: stored.headers.get("x-livecalc-pyodide"), probe };
}

// How a snapshot is stored: the memory without its runs of zeros (ZERO_RUN bytes or longer).
//   header   4 x u32: PACK_MAGIC, the memory's length, the number of pieces, a checksum of the rest
//   pieces   2 x u32 each: where a piece of memory starts, and its length (multiples of 4)
//   data     the pieces, one after another
// What the pieces do not cover is zero. Pyodide's own check then sees the memory it made.
const PACK_MAGIC = 0x3153434c; // "LCS1"
const ZERO_RUN = 64;

const PACK_SLICE = 1 << 20; // words packed between two turns of the event loop (a run may come in between)

// A 32-bit checksum of 32-bit words (an accidental change of any byte changes it), in slices: `state`
// carries it from one slice to the next; finish() gives the value.
function checksum(words, state = [0x811c9dc5, 0x9747b28c]) {
  let [a, b] = state;
  for (let i = 0; i < words.length; i++) {
    a = Math.imul(a ^ words[i], 0x01000193);
    b = Math.imul((b + words[i]) ^ (b >>> 15), 0x2c1b3c6d);
  }
  return [a, b];
}

function finish([a, b]) {
  return (a ^ Math.imul(b, 0x297a2d39)) >>> 0;
}

const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

// The stored form of a snapshot's memory (a Blob). It works on Pyodide's copy of the memory, in
// slices, so that a reader's edit meanwhile is answered between two of them.
async function packSnapshot(memory) {
  if (memory.byteLength % 4 !== 0) throw new Error("a snapshot of an unexpected size");
  const words = new Uint32Array(memory.buffer, memory.byteOffset, memory.byteLength >>> 2);
  const run = ZERO_RUN >>> 2;
  const pieces = [];
  let i = 0;
  let pause = PACK_SLICE;
  while (i < words.length) {
    if (i >= pause) {
      await turn();
      pause = i + PACK_SLICE;
    }
    while (i < words.length && words[i] === 0) i++;
    if (i >= words.length) break;
    const start = i;
    let zeros = 0;
    for (; i < words.length; i++) {
      if (words[i] !== 0) zeros = 0;
      else if (++zeros === run) break;
    }
    pieces.push([start, i - zeros + (i < words.length ? 1 : 0)]);
  }
  let size = 0;
  for (const [start, end] of pieces) size += end - start;
  const body = new Uint32Array(2 * pieces.length + size);
  let at = 2 * pieces.length;
  pieces.forEach(([start, end], n) => {
    body[2 * n] = start * 4;
    body[2 * n + 1] = (end - start) * 4;
    body.set(words.subarray(start, end), at);
    at += end - start;
  });
  let state;
  for (let from = 0; from < body.length; from += PACK_SLICE) {
    await turn();
    state = checksum(body.subarray(from, from + PACK_SLICE), state);
  }
  const head = Uint32Array.of(PACK_MAGIC, memory.byteLength, pieces.length, finish(state || checksum([])));
  return new Blob([head, body]);
}

// The memory a packed snapshot holds; throws on anything that is not one, or is damaged.
function unpackSnapshot(packed) {
  if (packed.byteLength < 16 || packed.byteLength % 4 !== 0) throw new Error("not a packed snapshot");
  const words = new Uint32Array(packed.buffer, packed.byteOffset, packed.byteLength >>> 2);
  const [magic, length, count, sum] = words;
  const body = words.subarray(4);
  if (magic !== PACK_MAGIC || length % 4 !== 0 || 2 * count > body.length) throw new Error("not a packed snapshot");
  if (finish(checksum(body)) !== sum) throw new Error("a damaged snapshot");
  const memory = new Uint32Array(length >>> 2);
  let at = 2 * count;
  for (let n = 0; n < count; n++) {
    const start = body[2 * n] >>> 2;
    const size = body[2 * n + 1] >>> 2;
    if (start + size > memory.length || at + size > body.length) throw new Error("a damaged snapshot");
    memory.set(body.subarray(at, at + size), start);
    at += size;
  }
  if (at !== body.length) throw new Error("a damaged snapshot");
  return new Uint8Array(memory.buffer);
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
      const made = performance.now() - began; // the worker answers again while it is packed
      const packed = await packSnapshot(memory);
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
  // Timings in ms from the engine's start on the page (the worker's creation), so that they add up to
  // the page's "live"; without the page's origin, from this call.
  const origin = Number(config.origin) || performance.timeOrigin + performance.now();
  const timings = {};
  const mark = (name) => { timings[name] = Math.round(performance.timeOrigin + performance.now() - origin); };
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
    let snapshots = snapshotsPossible(config);
    const key = snapshots ? snapshotKey(config) : null;
    let stored = Promise.resolve(null);
    if (snapshots && earlySnapshot && earlySnapshot.key === key) {
      stored = earlySnapshot.read;
      for (const [name, at] of Object.entries(earlySnapshot.marks)) timings[name] = Math.round(at - origin);
      earlySnapshot.mark = mark;
    } else if (snapshots) {
      stored = readSnapshot(key, mark);
    }
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
    const snapshot = await stored;
    if (snapshot && snapshot.version === version) {
      try {
        const pyodide = await loadPyodide({ ...options, _loadSnapshot: snapshot.bytes });
        mark("restored");
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

// The stored snapshot is looked for as soon as this module runs when the page put the engine's
// addresses in this worker's URL (start() uses the read only when its config gives the same key).
if (HINTS.get("runtime") && HINTS.get("stdlib") && HINTS.get("app") && typeof caches !== "undefined") {
  const key = snapshotKey({ indexURL: HINTS.get("runtime"), stdLibURL: HINTS.get("stdlib"), appURL: HINTS.get("app") });
  const early = { key, marks: {}, mark: null };
  early.read = readSnapshot(key, (name) => {
    if (early.mark) early.mark(name);
    else early.marks[name] = performance.timeOrigin + performance.now();
  });
  early.read.catch(() => {});
  earlySnapshot = early;
}
