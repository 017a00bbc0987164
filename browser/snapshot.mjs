// The engine's start-up snapshots: the only user of Pyodide's PRIVATE snapshot API (the loadPyodide
// options _makeSnapshot / _loadSnapshot, and makeMemorySnapshot). SNAPSHOTS turns them off completely.
//
// Pyodide (pinned 314.0.7) can start from a copy of a running interpreter's memory, checked against
// its build id. Starting from one skips Python's own start-up and the imports (about 0.5 s on a 2-core
// machine; bench/engine.py). A snapshot is ~31 MB of memory, two thirds of it runs of zeros: it is
// stored without them (~10.5 MB, see pack), made on the reader's machine once the engine is
// live and idle (never before the first figure), never downloaded, and only when the reader has not
// asked to save data and the browser has room for it. It is not gzipped: unpacking 31 MB with
// DecompressionStream took 200-300 ms of the worker's time at every start, filling in the zeros takes
// a few ms (bench/engine.py, engine_warm_ms).
//
// Each snapshot carries its probe: one calculator's inputs (the first state of the calculator that
// started the engine, sent by the page) and the answer the engine gave them before the snapshot was
// made. A restored engine must give that answer again, exactly, or the snapshot is dropped and the
// engine starts normally. A missing, damaged or stale snapshot means the normal start.

//: the one switch: false, and no snapshot is read, made or stored (nor Pyodide's private API used)
export const SNAPSHOTS = true;

const CACHE = "livecalc-engine-snapshots";
const IDLE_MS = 2000; // no run for this long after live: the engine is idle
const MIN_FREE = 256 * 1024 * 1024; // storage left over before one is made

function possible(config = {}) {
  return SNAPSHOTS && !config.saveData && !(self.navigator.connection && self.navigator.connection.saveData) &&
    typeof caches !== "undefined" && Boolean(self.crypto && self.crypto.subtle);
}

// The snapshot's key names everything its memory depends on: the runtime's folder (the Pyodide
// version, or the CDN address), the standard library and the app (their names carry their content
// hashes) and the worker (its folder carries the hash of every browser module, and it decides how
// Pyodide is started).
function keyOf(config) {
  const absolute = (url) => new URL(url, self.location.href).href;
  const key = new URLSearchParams({ runtime: absolute(config.indexURL), stdlib: absolute(config.stdLibURL),
    app: absolute(config.appURL), worker: self.location.href });
  return new URL("livecalc-engine-snapshot?" + key, self.location.href).href;
}

export async function forget(keep = null) {
  try {
    const cache = await caches.open(CACHE);
    for (const request of await cache.keys()) {
      if (request.url !== keep) await cache.delete(request);
    }
  } catch {
    // nothing stored, or storage unavailable: nothing to forget
  }
}

// The stored snapshot for this key, or null: {version, probe, memory, filled}. memory is where the
// snapshot's memory goes, allocated at once from its stored length (x-livecalc-memory) so that Pyodide
// can set up its runtime while the stored bytes are still being read; filled is a promise that the
// memory has been read, checked and unpacked into it. It rejects for a damaged one or anything that is
// not a snapshot, and memory is then left without Pyodide's magic number (Pyodide refuses it). A stored
// length that is no snapshot's gives null. The caller deletes a snapshot that is refused.
function refused(reason) {
  const promise = Promise.reject(new Error(reason));
  promise.catch(() => {});
  return promise;
}

async function read(key, mark) {
  let stored;
  try {
    stored = await (await caches.open(CACHE)).match(key);
  } catch {
    return null;
  }
  mark("snapshot_found");
  if (!stored) return null;
  const [length, offset] = (stored.headers.get("x-livecalc-memory") || "").split(",").map(Number);
  if (!plausible(length, offset)) {
    return { version: null, probe: null, memory: null, filled: refused("not a snapshot") };
  }
  let memory;
  try {
    memory = new Uint8Array(length);
  } catch {
    return { version: null, probe: null, memory: null, filled: refused("no room for the snapshot") };
  }
  const filled = stored.arrayBuffer().then(async (packed) => {
    mark("snapshot_loaded");
    try {
      await unpack(new Uint8Array(packed), memory);
      const head = new Uint32Array(memory.buffer, 0, 2);
      if (head[0] !== SNAPSHOT_MAGIC || head[1] !== offset) throw new Error("not a snapshot");
    } catch (error) {
      memory.fill(0, 0, 4);
      throw error;
    }
    mark("snapshot_unpacked");
  });
  filled.catch(() => {});
  let probe = null;
  try {
    probe = JSON.parse(decodeURIComponent(stored.headers.get("x-livecalc-probe") || ""));
  } catch {
    // a damaged header: check() refuses the snapshot
  }
  return { version: stored.headers.get("x-livecalc-pyodide"), probe, memory, filled };
}

// ------------------------------------------------------------------------------------ the stored form
// The memory without its runs of zeros (ZERO_RUN bytes or longer):
//   header   3 x u32: PACK_MAGIC, the memory's length, the number of pieces; then the SHA-256 of the rest
//   pieces   2 x u32 each: where a piece of memory starts, and its length (multiples of 4)
//   data     the pieces, one after another
// What the pieces do not cover is zero. Pyodide's own check then sees the memory it made.
// The digest is WebCrypto's: computed off the worker's thread (the worker meanwhile sets up Pyodide's
// runtime), where a checksum in JavaScript took 30-50 ms of it at every start.
const PACK_MAGIC = 0x3253434c; // "LCS2"
const HEAD_WORDS = 3 + 8;
const ZERO_RUN = 64;
const PACK_SLICE = 1 << 20; // words packed between two turns of the event loop (a run may come in between)

const digest = async (data) => new Uint32Array(await crypto.subtle.digest("SHA-256", data));

const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

// The stored form of a snapshot's memory (a Blob). It works on Pyodide's copy of the memory, in
// slices, so that a reader's edit meanwhile is answered between two of them.
async function pack(memory) {
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
  const head = new Uint32Array(HEAD_WORDS);
  head.set([PACK_MAGIC, memory.byteLength, pieces.length]);
  head.set(await digest(body), 3);
  return new Blob([head, body]);
}

// Unpacks a packed snapshot into memory (zeros, of the snapshot's length); throws, before writing
// anything, on anything that is not one, is damaged or is of another length.
async function unpack(packed, memory) {
  if (packed.byteLength < 4 * HEAD_WORDS || packed.byteLength % 4 !== 0) throw new Error("not a packed snapshot");
  const words = new Uint32Array(packed.buffer, packed.byteOffset, packed.byteLength >>> 2);
  const [magic, length, count] = words;
  const body = words.subarray(HEAD_WORDS);
  if (magic !== PACK_MAGIC || length !== memory.byteLength || 2 * count > body.length) throw new Error("not a packed snapshot");
  const sum = await digest(body);
  if (sum.some((word, n) => word !== words[3 + n])) throw new Error("a damaged snapshot");
  const target = new Uint32Array(memory.buffer, memory.byteOffset, length >>> 2);
  let at = 2 * count;
  for (let n = 0; n < count; n++) {
    const start = body[2 * n] >>> 2;
    const size = body[2 * n + 1] >>> 2;
    if (start + size > target.length || at + size > body.length) throw new Error("a damaged snapshot");
    at += size;
  }
  if (at !== body.length) throw new Error("a damaged snapshot");
  at = 2 * count;
  for (let n = 0; n < count; n++) {
    const start = body[2 * n] >>> 2;
    const size = body[2 * n + 1] >>> 2;
    target.set(body.subarray(at, at + size), start);
    at += size;
  }
}

// Pyodide 314's snapshot: a 32-bit magic number, the offset of the memory, then memory in 64 KiB pages.
// A stored length and offset that are not a snapshot's are refused before Pyodide sees them (a wrong
// size would make its start wait forever), and a memory whose head differs from them after unpacking.
const SNAPSHOT_MAGIC = 1886286592;
const MAX_MEMORY = 1 << 30;

function plausible(length, offset) {
  if (!Number.isInteger(length) || !Number.isInteger(offset) || length > MAX_MEMORY) return false;
  const memory = length - offset;
  return length % 4 === 0 && offset >= 48 && offset % 4 === 0 && memory >= 16 * 65536 && memory % 65536 === 0;
}

// ------------------------------------------------------------------------------------ the worker's use

let early = null; // {key, read, marks, mark}: the stored snapshot's read, begun as the worker runs

// As soon as the worker runs: when the page put the engine's addresses in the worker's URL, the stored
// snapshot is looked for now (open() uses the read only when its config gives the same key).
export function readEarly(hints) {
  if (!possible() || !hints.get("runtime") || !hints.get("stdlib") || !hints.get("app")) return;
  const key = keyOf({ indexURL: hints.get("runtime"), stdLibURL: hints.get("stdlib"), appURL: hints.get("app") });
  const started = { key, marks: {}, mark: null };
  started.read = read(key, (name) => {
    if (started.mark) started.mark(name);
    else started.marks[name] = performance.timeOrigin + performance.now();
  });
  started.read.catch(() => {});
  early = started;
}

// The snapshots of this start: {enabled, key, stored} where stored is a promise of the stored snapshot
// or null. mark(name, at) records a timing (at: an absolute time, for marks made before this call).
export function open(config, mark) {
  const enabled = possible(config) && Boolean(config.probe);
  if (!enabled) return { enabled, key: null, stored: Promise.resolve(null) };
  const key = keyOf(config);
  if (early && early.key === key) {
    for (const [name, at] of Object.entries(early.marks)) mark(name, at);
    early.mark = mark;
    return { enabled, key, stored: early.read };
  }
  return { enabled, key, stored: read(key, mark) };
}

// loadPyodide's options to start from `snapshot`, or (snapshot null) to start normally, ready to make
// one later when `making`. Starting from one, Pyodide gets the memory at once (its length sizes the
// runtime's memory) and reads it only after the file system is set up: the caller's fsInit awaits
// snapshot.filled, so that the runtime is made while the snapshot is still being read.
export function loadOptions(snapshot, making) {
  if (snapshot) return { _loadSnapshot: snapshot.memory };
  return making ? { _makeSnapshot: true } : {};
}

// Throws unless a restored engine gives the stored probe's answer. answer(calculator, inputs) runs it.
export function check(snapshot, answer) {
  const probe = snapshot.probe;
  if (!probe || typeof probe.calculator !== "string" || !("answer" in probe)) throw new Error("a snapshot without its probe");
  if (JSON.stringify(answer(probe.calculator, probe.inputs)) !== JSON.stringify(probe.answer)) {
    throw new Error("the restored engine answers differently");
  }
}

// Made once the engine has been idle for a while; a reader's edit meanwhile waits a few tens of ms at most.
// idleFor(): ms since the last run ended, or -1 while one runs. answer(calculator, inputs) runs the engine.
export function storeWhenIdle(opened, pyodide, version, probe, { idleFor, answer, report, short }) {
  if (!opened.enabled || !probe) return;
  const attempt = async () => {
    const idle = idleFor();
    if (idle < 0 || idle < IDLE_MS) {
      setTimeout(attempt, IDLE_MS);
      return;
    }
    try {
      const { quota = 0, usage = 0 } = await self.navigator.storage.estimate();
      if (quota - usage < MIN_FREE) {
        report({ state: "skipped", reason: "little storage left" });
        return;
      }
      const began = performance.now();
      const stored = { calculator: probe.calculator, inputs: probe.inputs, answer: answer(probe.calculator, probe.inputs) };
      const memory = pyodide.makeMemorySnapshot();
      const made = performance.now() - began; // the worker answers again while it is packed
      const packed = await pack(memory);
      const cache = await caches.open(CACHE);
      const offset = new Uint32Array(memory.buffer, memory.byteOffset, 2)[1];
      await cache.put(opened.key, new Response(packed, { headers: { "content-type": "application/octet-stream",
        "x-livecalc-pyodide": version, "x-livecalc-probe": encodeURIComponent(JSON.stringify(stored)),
        "x-livecalc-memory": `${memory.byteLength},${offset}` } }));
      await forget(opened.key);
      report({ state: "stored", bytes: packed.size, memory: memory.length,
        ms: Math.round(performance.now() - began), blocked_ms: Math.round(made) });
    } catch (error) {
      await forget();
      report({ state: "failed", reason: short(error) });
    }
  };
  setTimeout(attempt, IDLE_MS);
}
