// The engine's start-up snapshots: the only user of Pyodide's PRIVATE snapshot API (the loadPyodide
// options _makeSnapshot / _loadSnapshot, and makeMemorySnapshot). SNAPSHOTS turns them off completely.
//
// Pyodide (pinned 314.0.7) can start from a copy of a running interpreter's memory, checked against
// its build id. Starting from one skips Python's own start-up and the imports (about 0.5 s on a 2-core
// machine; bench/engine.py). A snapshot is ~31 MB of memory, two thirds of it runs of zeros: it is
// stored without them (~10.5 MB, see packSnapshot), made on the reader's machine once the engine is
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
    typeof caches !== "undefined";
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

// The stored snapshot for this key, or null: {version, probe, bytes}, where bytes is a promise of the
// memory, unpacked and checked (it rejects for a damaged one or anything that is not a snapshot), so
// that Pyodide can start while it is read. The caller deletes one that is refused.
async function read(key, mark) {
  let stored;
  try {
    stored = await (await caches.open(CACHE)).match(key);
  } catch {
    return null;
  }
  mark("snapshot_found");
  if (!stored) return null;
  const bytes = stored.arrayBuffer().then((packed) => {
    mark("snapshot_loaded");
    const memory = unpack(new Uint8Array(packed));
    if (!plausible(memory)) throw new Error("not a snapshot");
    mark("snapshot_unpacked");
    return memory;
  });
  bytes.catch(() => {});
  let probe = null;
  try {
    probe = JSON.parse(decodeURIComponent(stored.headers.get("x-livecalc-probe") || ""));
  } catch {
    // a damaged header: check() refuses the snapshot
  }
  return { bytes, version: stored.headers.get("x-livecalc-pyodide"), probe };
}

// ------------------------------------------------------------------------------------ the stored form
// The memory without its runs of zeros (ZERO_RUN bytes or longer):
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
  let state;
  for (let from = 0; from < body.length; from += PACK_SLICE) {
    await turn();
    state = checksum(body.subarray(from, from + PACK_SLICE), state);
  }
  const head = Uint32Array.of(PACK_MAGIC, memory.byteLength, pieces.length, finish(state || checksum([])));
  return new Blob([head, body]);
}

// The memory a packed snapshot holds; throws on anything that is not one, or is damaged.
function unpack(packed) {
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
// one later when `making`.
export function loadOptions(snapshot, making) {
  if (snapshot) return { _loadSnapshot: snapshot.bytes };
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
      await cache.put(opened.key, new Response(packed, { headers: { "content-type": "application/octet-stream",
        "x-livecalc-pyodide": version, "x-livecalc-probe": encodeURIComponent(JSON.stringify(stored)) } }));
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
