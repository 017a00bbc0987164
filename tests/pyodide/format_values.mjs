// Formats values with presentation/format.py inside the pinned npm Pyodide, for tests/test_format_platforms.py.
//   node tests/pyodide/format_values.mjs < values.json > texts.json
// values.json: a list of [kind, text]: "fraction" "n/d" or "float" repr; the answer: one list of texts
// per value (money, money with 2 decimals, percent, number).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("../../", import.meta.url).pathname;
const { loadPyodide } = await import(pathToFileURL(join(root, "node_modules/pyodide/pyodide.mjs")).href);
const py = await loadPyodide({ stdout: () => {}, stderr: (line) => process.stderr.write(line + "\n") });
py.FS.mkdirTree("/app/presentation");
for (const name of ["__init__.py", "format.py"]) {
  py.FS.writeFile(`/app/presentation/${name}`, await readFile(join(root, "presentation", name)));
}
py.FS.writeFile("/app/format_driver.py", await readFile(join(root, "tests/pyodide/format_driver.py")));
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
py.globals.set("values_json", Buffer.concat(chunks).toString("utf8"));
process.stdout.write(py.runPython(`
import sys
sys.path.insert(0, "/app")
from format_driver import format_all
format_all(values_json)
`));
