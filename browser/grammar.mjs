// What a reader may type into a field: the form's inline check, before the engine is asked.
//
// It follows calculators/grammar.py's parse() step by step (its docstring lists the steps and their
// order), with the patterns, flags and messages of the description's `grammar` and the bounds and
// messages of the field's `rules`; nothing of the grammar is written here. tests/test_grammar.py feeds
// the same strings to both and requires the same verdict and the same message. No DOM: Node imports it.

const compiled = new WeakMap(); // grammar object -> its patterns as RegExps

function patterns(grammar) {
  let found = compiled.get(grammar);
  if (!found) {
    const source = grammar.patterns;
    const flags = grammar.flags || {};
    // "g" where Python's re.sub replaces every match; match() and test() need no "g".
    const make = (name, pattern, extra = "") => new RegExp(pattern, (flags[name] || "") + extra);
    found = {
      trim: make("trim", source.trim, "g"),
      strip: make("strip", source.strip, "g"),
      suffix: Object.fromEntries(Object.entries(source.suffix).map(([unit, p]) => [unit, make("suffix", p, "g")])),
      grouped: make("grouped", source.grouped),
      not_finite: make("not_finite", source.not_finite),
      number: make("number", source.number),
    };
    compiled.set(grammar, found);
  }
  return found;
}

// Python's len(): code points, not UTF-16 units.
const length = (text) => [...text].length;

// Null when `raw` (the text of an input) is what `field` accepts, else the reason, as the module words it
// ("is not a number", "must be at most 125"). The form shows it after the field's label.
export function check(field, raw, grammar) {
  const messages = grammar.messages;
  const maxText = grammar.max_text;
  const p = patterns(grammar);
  if (field.kind === "text") {
    const text = raw == null ? "" : String(raw).replace(p.trim, "");
    return length(text) > maxText ? messages.too_long : null;
  }
  if (field.kind === "choice") {
    const keys = field.choices.map(([key]) => key);
    return typeof raw === "string" && keys.includes(raw) ? null : messages.choice.replaceAll("{choices}", keys.join(", "));
  }
  if (typeof raw !== "string") return messages.number;
  let text = raw.replace(p.strip, "").replace(p.trim, "");
  const suffix = p.suffix[field.unit || ""];
  if (suffix) text = text.replace(suffix, "").replace(p.trim, "");
  if (!text) return messages.empty;
  if (length(text) > maxText) return messages.too_long;
  if (text.includes(",")) {
    if (!p.grouped.test(text)) return messages.grouped;
    text = text.replaceAll(",", "");
  }
  if (p.not_finite.test(text)) return messages.not_finite;
  if (!p.number.test(text)) return messages.number;
  const number = Number(text);
  if (!Number.isFinite(number)) return messages.not_finite;
  const rules = field.rules || {};
  const broken = rules.messages || {};
  if ("minimum" in rules && number < rules.minimum) return broken.minimum;
  if ("exclusiveMinimum" in rules && number <= rules.exclusiveMinimum) return broken.exclusiveMinimum;
  if ("maximum" in rules && number > rules.maximum) return broken.maximum;
  return null;
}
