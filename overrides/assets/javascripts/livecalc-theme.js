// livecalc: accessibility fixes to Material's markup where its templates offer no setting, found by
// axe-core on the built guide (tests/browser/test_accessibility.py). Runs on every page, including
// after Material's instant navigation (document$ emits on each).
document$.subscribe(() => {
  // Material's search is a role="dialog" without a name.
  const search = document.querySelector(".md-search[role=dialog]");
  if (search && !search.hasAttribute("aria-label")) search.setAttribute("aria-label", "Search");
  // A wide table scrolls sideways inside its wrapper on a phone: a keyboard user must reach it too.
  for (const wrap of document.querySelectorAll(".md-typeset__scrollwrap")) {
    if (wrap.hasAttribute("tabindex")) continue;
    wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("role", "region");
    const headers = [...wrap.querySelectorAll("thead th")].map((th) => th.textContent.trim()).filter(Boolean);
    wrap.setAttribute("aria-label", headers.length ? `Table: ${headers.join(", ")}` : "Table");
  }
});
