// A calculator's scenario in the page's query string, so that it can be shared and restored.
//
// Inputs are kept as KEY.FIELD=TEXT and KEY.ROWS.N.FIELD=TEXT (KEY: the calculator's data-livecalc-key,
// ROWS: its row input's name, N from 0), and only while the state differs from the page's first state.
// What is read back is limited to the description's fields and at most max_rows rows; anything else in
// the query string is left alone.

const DELAY_MS = 250; // the address is rewritten once the reader pauses

// [name, text] pairs of a state ({field: text, ROWS: [{field: text}]}), in the description's order.
function flatten(key, description, state) {
  const pairs = [];
  for (const field of description.fields) pairs.push([`${key}.${field.name}`, state[field.name]]);
  const rows = description.rows;
  if (rows) {
    (state[rows.name] || []).forEach((row, index) => {
      for (const field of rows.fields) pairs.push([`${key}.${rows.name}.${index}.${field.name}`, row[field.name]]);
    });
  }
  return pairs;
}

export class UrlState {
  constructor(key, description, initial) {
    this.key = key;
    this.description = description;
    this.initial = initial;
    this.timer = null;
  }

  // Writes `state` into the address (after a pause), or removes this calculator's part when it is the first state.
  save(state, connected = () => true) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!connected()) return;
      const url = new URL(location.href);
      const prefix = `${this.key}.`;
      for (const name of [...url.searchParams.keys()]) if (name.startsWith(prefix)) url.searchParams.delete(name);
      const mine = flatten(this.key, this.description, state);
      const initial = new Map(flatten(this.key, this.description, this.initial));
      const changed = mine.length !== initial.size || mine.some(([name, value]) => initial.get(name) !== value);
      if (changed) for (const [name, value] of mine) url.searchParams.append(name, value);
      if (url.href !== location.href) history.replaceState(history.state, "", url.href);
    }, DELAY_MS);
  }

  // Removes this calculator's part of the address now (a reset to the page's first state).
  clear() {
    clearTimeout(this.timer);
    const url = new URL(location.href);
    const prefix = `${this.key}.`;
    for (const name of [...url.searchParams.keys()]) if (name.startsWith(prefix)) url.searchParams.delete(name);
    if (url.href !== location.href) history.replaceState(history.state, "", url.href);
  }

  // The state the address asks for (the first state with the address's values over it), or null.
  read() {
    const prefix = `${this.key}.`;
    const given = [...new URLSearchParams(location.search)].filter(([name]) => name.startsWith(prefix));
    if (!given.length) return null;
    const fields = new Set(this.description.fields.map((field) => field.name));
    const rowsInput = this.description.rows;
    const rowFields = new Set(rowsInput ? rowsInput.fields.map((field) => field.name) : []);
    const state = structuredClone(this.initial);
    const rows = [];
    for (const [name, value] of given) {
      const path = name.slice(prefix.length).split(".");
      if (path.length === 1 && fields.has(path[0])) {
        state[path[0]] = value;
      } else if (rowsInput && path.length === 3 && path[0] === rowsInput.name && /^\d{1,3}$/.test(path[1])
                 && rowFields.has(path[2]) && Number(path[1]) < rowsInput.max_rows) {
        (rows[Number(path[1])] ??= {})[path[2]] = value;
      }
    }
    if (rowsInput && rows.length) {
      const first = state[rowsInput.name] || [];
      const last = first[first.length - 1] || {};
      // A row the address skips (only rows 0 and 2 given) is the first state's, or a copy of its last row.
      state[rowsInput.name] = Array.from(rows, (row, index) => ({ ...(first[index] || last), ...row }));
    }
    return state;
  }
}
