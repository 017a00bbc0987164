// Build step, run by browser/pack.py under Node: prepare the Python the reader's browser runs.
//
//   node browser/pack.mjs PYODIDE_DIR APP_DIR OUT_DIR
//
// Pyodide's npm package ships the standard library as .py source only, so a browser would spend
// most of its start-up compiling it (about 4 s on a 2-core machine). Here, inside the same Pyodide
// (so the bytecode matches its Python exactly), we
//   1. run the calculators the way the browser's worker does, with good and bad inputs, and record
//      which standard-library modules Pyodide and the calculators import;
//   2. write OUT_DIR/python_stdlib.zip: only those modules, precompiled to .pyc;
//   3. write OUT_DIR/livecalc.zip: the app tree of APP_DIR (calculators/ and presentation/),
//      precompiled to .pyc, data files as they are;
//   4. start a second Pyodide on those two zips, run the same inputs again and check that every
//      answer is identical: a module missing from the trimmed library fails the build here, not in
//      a reader's browser;
//   5. write OUT_DIR/manifest.json (modules, sizes, the lock file's info, timings).
// No network: everything comes from the npm package and APP_DIR.

import { readFile, writeFile, readdir, mkdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, appDir, outDir] = process.argv.slice(2);
if (!pyodideDir || !appDir || !outDir) {
  console.error("usage: node browser/pack.mjs PYODIDE_DIR APP_DIR OUT_DIR");
  process.exit(2);
}
const { loadPyodide, version } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);

// Modules a reader's session may need that the recorded run does not import (other codecs).
const EXTRA_MODULES = [
  "encodings/ascii.py", "encodings/latin_1.py", "encodings/utf_8_sig.py",
  "encodings/utf_16.py", "encodings/utf_32.py", "encodings/cp1252.py",
];

async function listFiles(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else out.push(path);
  }
  return out;
}

// The inputs of the recorded run, all read from the descriptions: each calculator's defaults typed
// as text (as the browser sends them), three rows for a calculator with rows, each choice, and inputs
// the module must refuse in every number field.
function workload(py) {
  const described = JSON.parse(py.runPython(String.raw`
import json
from calculators import descriptions
json.dumps({name: {"description": descriptions.describe(name),
                   "completed": descriptions.complete_inputs(calc, {})}
            for name, calc in descriptions.CALCULATORS.items()})
`));
  const asText = (object) => Object.fromEntries(Object.entries(object).map(([key, value]) =>
    [key, Array.isArray(value) ? value.map(asText) : String(value)]));
  const cases = [];
  for (const [name, { description, completed }] of Object.entries(described)) {
    const typed = asText(completed);
    cases.push([name, typed]);
    const rows = description.rows;
    if (rows) {
      const three = { ...typed, [rows.name]: [0, 1, 2].map((i) => ({ ...typed[rows.name][0] })) };
      cases.push([name, three]);
    }
    for (const field of description.fields) {
      if (field.kind === "choice") {
        for (const [key] of field.choices) cases.push([name, { ...typed, [field.name]: key }]);
      } else if (field.kind === "number") {
        for (const bad of ["", "abc", "1e309", "-1", "NaN", "9".repeat(80), "</script>", "1,5", "$1,000.5 "]) {
          cases.push([name, { ...typed, [field.name]: bad }]);
        }
      }
    }
  }
  cases.push(["nope", {}]);
  const first = Object.keys(described)[0];
  cases.push([first, { side: "sideways" }]);
  return cases;
}

function runAll(py, cases) {
  const answer = py.pyimport("presentation.display").answer;
  const results = cases.map(([name, inputs]) => {
    const raw = py.toPy(inputs);
    const result = answer(name, raw);
    raw.destroy();
    const js = result.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
    result.destroy();
    return js;
  });
  answer.destroy();
  return results;
}

const started = performance.now();
const reference = await loadPyodide({ indexURL: pyodideDir + "/", stdout: () => {}, stderr: console.error,
  // Bytecode without column positions (tracebacks keep their line numbers): smaller .pyc files.
  args: ["-X", "no_debug_ranges"] });
const bootSource = performance.now() - started;
const lockInfo = JSON.parse(await readFile(join(pyodideDir, "pyodide-lock.json"), "utf8")).info;

// The app tree is compiled first, so that the recorded run imports it from its zip exactly as the
// browser does (reading a zip pulls in modules of its own, such as the cp437 codec).
const appFiles = (await listFiles(appDir)).map((path) => relative(appDir, path).split("\\").join("/")).sort();
for (const name of appFiles) {
  const target = "/app/" + name;
  reference.FS.mkdirTree(target.slice(0, target.lastIndexOf("/")));
  reference.FS.writeFile(target, await readFile(join(appDir, name)));
}
reference.FS.mkdirTree("/out");
reference.globals.set("app_files", reference.toPy(appFiles));
reference.globals.set("extra_modules", reference.toPy(EXTRA_MODULES));
reference.runPython(String.raw`
import importlib.util, sys, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

def pyc(source, filename, optimize):
    # Unchecked hash-based .pyc: no source next to it is needed and no timestamp is compared.
    code = compile(source, filename, "exec", dont_inherit=True, optimize=optimize)
    return bytes(_code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False))

def entry(name):
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info

def write_zip(target, files, read, prefix, optimize):
    with zipfile.ZipFile(target, "w", compresslevel=9) as out:
        for name in sorted(files):
            data = read(name)
            if name.endswith(".py"):
                out.writestr(entry(name[:-3] + ".pyc"), pyc(data, f"{prefix}/{name}", optimize))
            else:
                out.writestr(entry(name), data)

# The app keeps its docstrings (dataclasses without one would call inspect.signature at import).
write_zip("/lib/livecalc.zip", app_files, lambda name: open("/app/" + name, "rb").read(), "/lib/livecalc.zip", 0)
sys.path.insert(0, "/lib/livecalc.zip")
`);
const cases = workload(reference);
const expected = runAll(reference, cases);

const manifest = JSON.parse(reference.runPython(String.raw`
import json, shutil
stdlib_zip = next(p for p in sys.path if p.endswith(".zip") and p != "/lib/livecalc.zip")

def used_from(zip_path):
    found = set()
    for module in list(sys.modules.values()):
        origin = getattr(getattr(module, "__spec__", None), "origin", None) or ""
        if origin.startswith(zip_path + "/"):
            found.add(origin[len(zip_path) + 1:])
    return found

modules = sorted(used_from(stdlib_zip) | set(extra_modules))
with zipfile.ZipFile(stdlib_zip) as source:
    # The library without docstrings and asserts (-OO): 15% fewer bytes, checked below by the second run.
    write_zip("/out/python_stdlib.zip", modules, source.read, stdlib_zip, 2)
shutil.copyfile("/lib/livecalc.zip", "/out/livecalc.zip")
json.dumps({"stdlib_modules": modules, "app_files": list(app_files), "python": sys.version.split()[0]})
`));

await mkdir(outDir, { recursive: true });
for (const name of ["python_stdlib.zip", "livecalc.zip"]) {
  await writeFile(join(outDir, name), reference.FS.readFile("/out/" + name));
}

// Check: a fresh interpreter started the way the browser starts it answers every case identically.
const checkStart = performance.now();
const appZip = await readFile(join(outDir, "livecalc.zip"));
const checked = await loadPyodide({
  indexURL: pyodideDir + "/",
  stdLibURL: join(outDir, "python_stdlib.zip"),
  lockFileContents: { info: lockInfo, packages: {} },
  env: { PYTHONPATH: "/lib/livecalc.zip" },
  fsInit: async (FS) => FS.writeFile("/lib/livecalc.zip", appZip),
  stdout: () => {},
  stderr: console.error,
});
const bootPrecompiled = performance.now() - checkStart;
const actual = runAll(checked, cases);
const mismatches = cases.filter((_, i) => JSON.stringify(expected[i]) !== JSON.stringify(actual[i]));
if (mismatches.length) {
  console.error(`engine check failed: ${mismatches.length} of ${cases.length} answers differ with the trimmed library`);
  console.error(JSON.stringify(mismatches[0]));
  process.exit(1);
}
const answered = expected.filter((r) => r.ok).length;
if (answered < 5) {
  console.error(`engine check failed: only ${answered} of ${cases.length} recorded inputs were answered`);
  process.exit(1);
}

Object.assign(manifest, {
  pyodide_version: version,
  lock_info: lockInfo,
  stdlib_bytes: (await stat(join(outDir, "python_stdlib.zip"))).size,
  app_bytes: appZip.length,
  cases: cases.length,
  node_boot_ms: { source: Math.round(bootSource), precompiled: Math.round(bootPrecompiled) },
});
await writeFile(join(outDir, "manifest.json"), JSON.stringify(manifest, null, 1));
console.log(`engine: ${manifest.stdlib_modules.length} stdlib modules (${manifest.stdlib_bytes} bytes), ` +
  `app ${manifest.app_bytes} bytes; ${cases.length} answers checked; Node start ` +
  `${manifest.node_boot_ms.source} ms from source, ${manifest.node_boot_ms.precompiled} ms precompiled`);
