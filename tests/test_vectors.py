"""The parity vectors (tests/vectors.py) are what the parity test claims they are.

A parity test is only as good as its inputs: these checks make sure the generated vectors stay
inside the descriptions' bounds (every one parses), cover what the issue lists (long and short,
both models, fixed rate and tier table, cross accounts with several positions, compare with moves),
are reproducible, travel as JSON, and mostly compute (errors are compared too, but a parity run
that is mostly refusals would test little of the mathematics).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from calculators.descriptions import CALCULATORS, parse_inputs, run

import vectors


@pytest.fixture(scope="module")
def generated():
    return vectors.vectors()


def test_at_least_a_thousand_vectors(generated):
    assert len(generated) >= 1000
    assert {name for name, _ in generated} == set(CALCULATORS)


def test_same_seed_same_vectors_and_json_safe(generated):
    again = vectors.vectors()
    text = json.dumps(generated, allow_nan=False)  # raises on NaN/inf: a widget could not send them
    assert json.dumps(again, allow_nan=False) == text
    assert json.dumps(vectors.vectors(seed=vectors.SEED + 1)) != text


def test_every_vector_is_inside_the_descriptions_bounds(generated):
    for name, raw in generated:
        parse_inputs(CALCULATORS[name], raw)  # raises MarginInputError naming the field otherwise


def test_covers_sides_models_tiers_and_accounts(generated):
    isolated = Counter((raw["side"], raw["model"], raw["tier_table"]) for name, raw in generated
                       if name == "isolated")
    tables = [key for key, _ in next(f for f in CALCULATORS["isolated"].fields if f.name == "tier_table").choices]
    assert "none" in tables and len(tables) >= 2
    for side in ("long", "short"):
        for model in ("exchange", "simple"):
            for table in tables:
                assert isolated[(side, model, table)] >= 20, (side, model, table)
    for name in ("cross", "compare"):
        sizes = Counter((raw["model"], len(raw["positions"])) for n, raw in generated if n == name)
        for model in ("exchange", "simple"):
            for count in range(1, CALCULATORS[name].rows.max_rows + 1):
                assert sizes[(model, count)] >= 5, (name, model, count)
        sides = {row["side"] for n, raw in generated if n == name for row in raw["positions"]}
        assert sides == {"long", "short"}
    moves = [row["move"] for n, raw in generated if n == "compare" for row in raw["positions"]]
    assert sum(1 for m in moves if m not in (0, "0", 0.0)) > 0.9 * len(moves)
    # text as a reader types it, as well as numbers
    spelled = [v for _, raw in generated for v in raw.values() if isinstance(v, str) and v.strip()[:1].isdigit()]
    assert len(spelled) > 200


def test_mostly_computable_with_every_kind_of_outcome(generated):
    outcomes = Counter()
    for name, raw in generated:
        result = run(name, raw)
        outcomes[(name, result["ok"])] += 1
        if not result["ok"]:
            continue
        out = result["outputs"]
        if name == "isolated":
            outcomes["isolated no liquidation price" if out["liquidation_price"] is None else "isolated priced"] += 1
        elif name == "cross":
            outcomes["cross liquidated" if out["liquidated"] else "cross alive"] += 1
        elif name == "compare":
            outcomes["compare isolated liquidation" if out["isolated_liquidated"] != "none" else "compare calm"] += 1
            outcomes["compare cross liquidation" if out["cross_liquidated"] != "none" else "compare cross alive"] += 1
    for name in CALCULATORS:
        total = outcomes[(name, True)] + outcomes[(name, False)]
        assert outcomes[(name, True)] >= 0.8 * total, (name, outcomes)
    for kind in ("isolated priced", "isolated no liquidation price", "cross liquidated", "cross alive",
                 "compare isolated liquidation", "compare calm", "compare cross liquidation", "compare cross alive"):
        assert outcomes[kind] >= 3, (kind, outcomes)
