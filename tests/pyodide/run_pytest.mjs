// Run the calculators' own tests (doctests + pure-module tests) inside Pyodide under Node.
//
//   node tests/pyodide/run_pytest.mjs [--json FILE] [--wheels DIR] [--max-examples N] [-- PYTEST ARGS]
//
// Pyodide comes from the pinned npm package (node_modules/pyodide); pytest, hypothesis and their
// dependencies are pure-Python wheels that `make pyodide-wheels` downloads once into
// .cache/pyodide-wheels (see tests/pyodide/requirements.txt). Nothing is fetched here: the checkout and
// the wheel folder are mounted into Pyodide's file system, and tests/pyodide/inner.py installs the
// wheels, copies calculators/ and the pure test files into memory and runs pytest.main().
// Exit status: pytest's own (0 when every test passed), 2 when something needed is missing.
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");

function parseArgs(argv) {
  const options = { json: null, wheels: join(repo, ".cache", "pyodide-wheels"), maxExamples: 100, extra: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") { options.extra = argv.slice(i + 1); break; }
    else if (arg === "--json") options.json = resolve(argv[++i]);
    else if (arg === "--wheels") options.wheels = resolve(argv[++i]);
    else if (arg === "--max-examples") options.maxExamples = Number(argv[++i]);
    else { console.error(`run_pytest.mjs: unknown argument ${arg}`); process.exit(2); }
  }
  return options;
}

function fail(message) {
  console.error(`run_pytest.mjs: ${message}`);
  process.exit(2);
}

const options = parseArgs(process.argv.slice(2));
const pyodideDir = join(repo, "node_modules", "pyodide");
if (!existsSync(join(pyodideDir, "pyodide.mjs"))) {
  fail(`Pyodide is not installed at ${pyodideDir}: run \`npm ci\` (or \`make test\`, which does).`);
}
if (!existsSync(options.wheels) || !readdirSync(options.wheels).some((name) => name.endsWith(".whl"))) {
  fail(`no wheels in ${options.wheels}: run \`make pyodide-wheels\` (part of \`make test\`).`);
}

const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const started = Date.now();
const pyodide = await loadPyodide({ indexURL: pyodideDir + "/" });
// raw bytes as Python writes them (pytest's progress dots carry no newline)
pyodide.setStdout({ write: (buffer) => { process.stdout.write(buffer); return buffer.length; } });
pyodide.setStderr({ write: (buffer) => { process.stderr.write(buffer); return buffer.length; } });
const loadedMs = Date.now() - started;

const { FS } = pyodide;
for (const [source, target] of [[repo, "/mnt/repo"], [options.wheels, "/mnt/wheels"]]) {
  FS.mkdirTree(target);
  FS.mount(FS.filesystems.NODEFS, { root: source }, target);
}

const config = { extra_args: options.extra, max_examples: options.maxExamples };
pyodide.globals.set("CONFIG", pyodide.toPy(config));
pyodide.runPython(readFileSync(join(here, "inner.py"), "utf8"), { filename: "inner.py" });
const result = JSON.parse(pyodide.globals.get("RESULT"));
result.pyodide = pyodide.version;
result.load_ms = loadedMs;
result.total_ms = Date.now() - started;

const counts = Object.entries(result.counts).map(([k, v]) => `${v} ${k}`).join(", ") || "nothing ran";
console.log(`\nPyodide ${result.pyodide} (Python ${result.python}, ${result.platform}), pytest ${result.pytest}, ` +
            `hypothesis ${result.hypothesis}: ${counts} in ${(result.total_ms / 1000).toFixed(1)} s ` +
            `(engine ${(loadedMs / 1000).toFixed(1)} s); files: calculators/ ${result.selected.join(" ")}`);
for (const [file, reason] of Object.entries(result.excluded)) console.log(`  not run in Pyodide: ${file} (${reason})`);
if (options.json) writeFileSync(options.json, JSON.stringify(result, null, 2));
process.exit(result.exit_code);
