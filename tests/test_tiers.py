"""Maintenance tiers: the shipped BTCUSDT table, tier lookup, and the tiered liquidation price.

The table is checked against two things the code does not use: the published rows, transcribed
below (Binance announcement of 2021-03-18 on the BTCUSDT leverage and margin tiers), and Binance's
own rule that makes the maintenance requirement continuous,
``cum_n = floor_n * (MMR_n - MMR_n-1) + cum_n-1`` (Binance FAQ "How to Calculate Liquidation Price
of USDⓈ-M Futures Contracts", 2020-08-14, https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93,
whose example is Level 3 = 250,000 * (1% - 0.5%) + 50 = 1,300). The tiered liquidation price is
checked against a bisection over that transcribed table, and the tier it reports against the
bracket that holds the notional at that price.

Tiers by number, as published (tier n is ``table.tiers[n - 1]``): 1 up to 50,000 (0.4%, 0);
2 up to 250,000 (0.5%, 50); 3 up to 1,000,000 (1%, 1,300); 4 up to 10,000,000 (2.5%, 16,300); ...;
10 up to 500,000,000 (50%, 100,016,300). A bracket holds notionals above its floor up to its cap.
"""

from __future__ import annotations

import datetime
import json
import math
from decimal import Decimal
from fractions import Fraction
from importlib import resources

import pytest
from hypothesis import assume, given, settings

from calculators import margin
from calculators.errors import MarginInputError
from calculators.margin import (
    TieredLiquidation,
    bankruptcy_price,
    liquidation_price_isolated,
    liquidation_price_tiered,
    tier_for_notional,
)

import strategies

KEY = "binance-btcusdt-2021-03-18"

#: (floor, cap, max leverage, MMR, cum) as published; Decimal so that the continuity check is exact.
PUBLISHED = [
    (0, 50_000, 125, "0.004", 0),
    (50_000, 250_000, 100, "0.005", 50),
    (250_000, 1_000_000, 50, "0.01", 1_300),
    (1_000_000, 10_000_000, 20, "0.025", 16_300),
    (10_000_000, 20_000_000, 10, "0.05", 266_300),
    (20_000_000, 50_000_000, 5, "0.10", 1_266_300),
    (50_000_000, 100_000_000, 4, "0.125", 2_516_300),
    (100_000_000, 200_000_000, 3, "0.15", 5_016_300),
    (200_000_000, 300_000_000, 2, "0.25", 25_016_300),
    (300_000_000, 500_000_000, 1, "0.50", 100_016_300),
]


# ============================================================================================
# The shipped data
# ============================================================================================

@pytest.fixture(scope="module")
def table():
    return margin.load_tier_table(KEY)


def test_the_package_ships_the_table_it_names():
    assert KEY in margin.TIER_TABLES
    raw = json.loads(resources.files("calculators").joinpath("data", f"{KEY}.json").read_text("utf-8"))
    assert raw["symbol"] == "BTCUSDT"


def test_the_table_carries_its_source_and_date(table):
    # a table without provenance cannot be checked against the exchange, nor dated for a reader
    assert table.date == "2021-03-18"
    assert datetime.date.fromisoformat(table.date) <= datetime.date.today()
    assert "Binance" in table.source and "2021-03-18" in table.source
    assert table.exchange.startswith("Binance")
    assert table.date in table.label and table.symbol in table.label


def test_the_table_matches_the_published_rows(table):
    assert len(table.tiers) == len(PUBLISHED)
    for tier, (floor, cap, lev, mmr, cum) in zip(table.tiers, PUBLISHED):
        assert (tier.floor, tier.cap, tier.max_leverage, tier.maintenance_amount) == (floor, cap, lev, cum)
        # read as written in decimal, not as the double nearest it
        assert tier.mmr == Fraction(mmr)
        assert all(type(v) is Fraction for v in (tier.floor, tier.cap, tier.max_leverage, tier.mmr,
                                                  tier.maintenance_amount))


def test_every_maintenance_amount_follows_binance_continuity_rule(table):
    # cum_n = floor_n * (MMR_n - MMR_n-1) + cum_n-1, exactly (the table's numbers are Fractions), cum_1 = 0
    tiers = table.tiers
    assert tiers[0].maintenance_amount == 0
    for previous, tier in zip(tiers, tiers[1:]):
        expected = tier.floor * (tier.mmr - previous.mmr) + previous.maintenance_amount
        assert tier.maintenance_amount == expected, tier


def test_the_continuity_rule_reproduces_binance_worked_example():
    # Binance FAQ: Maintenance Amount on Level 3 = 250,000 * (1% - 0.5%) + 50 USDT = 1,300 USDT
    assert Decimal(250_000) * (Decimal("0.01") - Decimal("0.005")) + 50 == 1_300


def test_the_brackets_are_contiguous_and_rise(table):
    tiers = table.tiers
    assert tiers[0].floor == 0
    for previous, tier in zip(tiers, tiers[1:]):
        assert tier.floor == previous.cap
        assert tier.mmr > previous.mmr
        assert tier.max_leverage < previous.max_leverage
    for tier in tiers:
        # the tier's own leverage leaves room above its maintenance rate (1/L > MMR), so a position
        # opened at the maximum is not liquidated as it opens
        assert 1 / tier.max_leverage > tier.mmr


def test_the_requirement_is_continuous_at_every_bracket_edge(table):
    for previous, tier in zip(table.tiers, table.tiers[1:]):
        edge = tier.floor
        below = edge * previous.mmr - previous.maintenance_amount
        above = edge * tier.mmr - tier.maintenance_amount
        assert above == below


# ============================================================================================
# tier_for_notional
# ============================================================================================

class TestTierForNotional:
    def test_binance_faq_examples(self, table):
        # Binance FAQ: a 264,000 USDT BTCUSDT position has a 1% maintenance rate; at 500,000 USDT the
        # maintenance amount is 1,300 USDT.
        assert tier_for_notional(table=KEY, notional=264_000).mmr == Fraction("0.01")
        assert tier_for_notional(table=KEY, notional=500_000).maintenance_amount == 1_300

    @pytest.mark.parametrize("notional, index", [
        (0, 0), (1, 0), (50_000, 0), (50_000.01, 1), (250_000, 1), (250_001, 2), (999_999.99, 2),
        (1_000_000, 2), (1_000_000.01, 3), (499_999_999, 9), (500_000_000, 9),
    ])
    def test_a_bracket_holds_notionals_above_its_floor_up_to_its_cap(self, table, notional, index):
        assert tier_for_notional(table=table, notional=notional) == table.tiers[index]

    @pytest.mark.parametrize("index", range(len(PUBLISHED)))
    def test_a_notional_exactly_on_a_cap_is_in_the_lower_tier(self, table, index):
        # Binance's announcement writes the brackets "50,000 < Position <= 250,000"
        # (https://www.binance.com/en/support/announcement/86cf9aa472574b8cb2e05bb751c2a9a6): every cap
        # of the shipped table, exactly, as an int, a Fraction, a Decimal and a double (each cap is an
        # integer, so its double is exact too)
        cap = PUBLISHED[index][1]
        for value in (cap, Fraction(cap), Decimal(cap), Decimal(f"{cap}.000"), float(cap)):
            assert tier_for_notional(table=table, notional=value) == table.tiers[index]
        # the least amount below is in the same tier; the least amount above is in the next
        tiny = Fraction(1, 10**30)
        assert tier_for_notional(table=table, notional=cap - tiny) == table.tiers[index]
        if index + 1 < len(PUBLISHED):
            for above in (cap + tiny, math.nextafter(float(cap), math.inf), Decimal(f"{cap}.0000001")):
                assert tier_for_notional(table=table, notional=above) == table.tiers[index + 1]
        else:
            with pytest.raises(MarginInputError):
                tier_for_notional(table=table, notional=cap + tiny)

    def test_a_table_object_or_its_key(self, table):
        assert tier_for_notional(table=table, notional=100_000) == tier_for_notional(table=KEY, notional=100_000)

    def test_above_the_last_bracket(self):
        with pytest.raises(MarginInputError) as caught:
            tier_for_notional(table=KEY, notional=500_000_001)
        assert caught.value.field == "notional"
        assert "500000001" in str(caught.value)
        assert "500,000,000" in str(caught.value)

    def test_negative_notional(self):
        with pytest.raises(MarginInputError) as caught:
            tier_for_notional(table=KEY, notional=-1)
        assert caught.value.field == "notional"


# ============================================================================================
# liquidation_price_tiered, worked by hand
# ============================================================================================

def tier(number: int):
    """Tier ``number`` as published (1 to 10) of the shipped table."""
    return margin.load_tier_table(KEY).tiers[number - 1]


class TestLiquidationPriceTiered:
    def test_returns_the_price_with_its_tier(self):
        result = liquidation_price_tiered(side="long", entry_price=60_000, quantity=2, margin=12_000, table=KEY)
        assert isinstance(result, TieredLiquidation)
        assert (result.price, result.tier) == (pytest.approx(107_950 / 1.99, rel=1e-12), tier(2))
        with pytest.raises(AttributeError):
            result.price = 1.0  # type: ignore[misc]  # frozen, like every result of the package

    def test_docstring_example_stays_in_its_tier(self):
        # 2 BTC long at 60,000: 120,000 in tier 2 (0.5%, 50), 12,000 of margin:
        # (120,000 - 12,000 - 50) / (2 * 0.995) = 107,950 / 1.99 = 54,246.23; 2 * 54,246 = 108,492 is tier 2
        result = liquidation_price_tiered(side="long", entry_price=60_000, quantity=2, margin=12_000, table=KEY)
        assert result.price == pytest.approx(107_950 / 1.99, rel=1e-12)
        assert result.tier == tier(2)
        assert (result.tier.mmr, result.tier.maintenance_amount) == (Fraction("0.005"), 50)

    def test_a_long_that_falls_into_a_lower_tier(self):
        # 20 BTC long at 60,000 = 1,200,000 (tier 4: 2.5%, cum 16,300) at 5x: margin 240,000.
        # In tier 4: (1,200,000 - 240,000 - 16,300) / (20 * 0.975) = 943,700 / 19.5 = 48,394.87,
        #   whose notional 20 * 48,394.87 = 967,897 is below 1,000,000: tier 3, not tier 4.
        # In tier 3 (1%, 1,300): (1,200,000 - 240,000 - 1,300) / (20 * 0.99) = 958,700 / 19.8 = 48,419.19,
        #   notional 968,384: tier 3, consistent.
        # Check: equity 240,000 + 20 * (48,419.19 - 60,000) = 8,383.84; requirement 20 * 48,419.19 * 1%
        #   - 1,300 = 8,383.84.
        result = liquidation_price_tiered(side="long", entry_price=60_000, quantity=20, margin=240_000, table=KEY)
        price = result.price
        assert price == pytest.approx(958_700 / 19.8, rel=1e-12)
        # it settled on tier 3 (968,384 is above 250,000 and at most 1,000,000), not the entry's tier 4
        assert result.tier == tier(3)
        # the entry's tier alone would have given a different answer: the iteration matters
        entry_tier_only = liquidation_price_isolated(side="long", entry_price=60_000, quantity=20, margin=240_000,
                                                     mmr=0.025, maintenance_amount=16_300)
        assert entry_tier_only == pytest.approx(943_700 / 19.5, rel=1e-12)
        assert abs(price - entry_tier_only) > 20

    def test_a_short_that_rises_into_a_higher_tier(self):
        # 20 BTC short at 40,000 = 800,000 (tier 3: 1%, 1,300), 220,000 of margin.
        # In tier 3: (800,000 + 220,000 + 1,300) / (20 * 1.01) = 1,021,300 / 20.2 = 50,559.41,
        #   notional 1,011,188 > 1,000,000: tier 4.
        # In tier 4 (2.5%, 16,300): (800,000 + 220,000 + 16,300) / (20 * 1.025) = 1,036,300 / 20.5
        #   = 50,551.22, notional 1,011,024: tier 4, consistent.
        # Check: equity 220,000 - 20 * (50,551.22 - 40,000) = 8,975.61; requirement 25,275.61 - 16,300.
        result = liquidation_price_tiered(side="short", entry_price=40_000, quantity=20, margin=220_000, table=KEY)
        assert result.price == pytest.approx(1_036_300 / 20.5, rel=1e-12)
        # 1,011,024 is above tier 3's cap of 1,000,000: tier 4, not the entry's tier 3
        assert result.tier == tier(4)

    def test_at_a_bracket_edge_both_tiers_give_the_same_price(self):
        # Choose the margin so that the long liquidates at exactly 50,000, notional 20 * 50,000 = 1,000,000:
        # tier 3: (1,200,000 - M - 1,300) / (20 * 0.99) = 50,000  =>  M = 1,198,700 - 990,000 = 208,700.
        # tier 4 gives the same: (1,200,000 - 208,700 - 16,300) / 19.5 = 975,000 / 19.5 = 50,000.
        result = liquidation_price_tiered(side="long", entry_price=60_000, quantity=20, margin=208_700, table=KEY)
        assert result.price == 50_000
        # 1,000,000 is tier 3's cap, and a bracket holds its cap: tier 3
        assert result.tier == tier(3)

    def test_simple_model_uses_the_entry_tier(self):
        # Maintenance on entry value: 1,200,000 is tier 4 whatever the price does:
        # 60,000 - (240,000 - 1,200,000 * 2.5% + 16,300) / 20 = 60,000 - 226,300 / 20 = 48,685
        result = liquidation_price_tiered(side="long", entry_price=60_000, quantity=20, margin=240_000, table=KEY,
                                          model="simple")
        assert result.price == pytest.approx(48_685, rel=1e-12)
        # the entry's tier, although 20 * 48,685 = 973,700 would be tier 3
        assert result.tier == tier(4)

    def test_a_low_leverage_long_in_a_high_tier_falls_through_to_the_first(self):
        # 20 BTC long at 60,000 = 1,200,000 (tier 4: 2.5%, cum 16,300) with 1,190,000 of margin (1.008x).
        # Tier 4's line has no positive root: (1,200,000 - 1,190,000 - 16,300) / 19.5 < 0. Yet the position
        # does liquidate: in tier 1 (0.4%, 0), 10,000 / (20 * 0.996) = 10,000 / 19.92 = 502.01, notional
        # 10,040 <= 50,000, consistent. Check: equity 1,190,000 + 20 * (502.01 - 60,000) = 40.16;
        # requirement 20 * 502.01 * 0.4% = 40.16. (Before the fix the function returned None here.)
        result = liquidation_price_tiered(side="long", entry_price=60_000, quantity=20, margin=1_190_000, table=KEY)
        assert result.price == pytest.approx(10_000 / 19.92, rel=1e-12)
        # 10,040 is at most 50,000: tier 1, whose 0.4% and 0 gave the price
        assert result.tier == tier(1)

    def test_a_short_rising_beyond_the_last_bracket_keeps_the_last_tier(self):
        # 10,000 BTC short at 40,000 = 400,000,000 (tier 10: 50%, cum 100,016,300, 1x) with 400,000,000 of
        # margin. Tier 10: (400M + 400M + 100,016,300) / (10,000 * 1.5) = 900,016,300 / 15,000 = 60,001.09,
        # notional 600,010,867 > 500,000,000: no bracket holds it, the last one goes on applying.
        # Check: equity 400M - 10,000 * 20,001.09 = 199,989,133; requirement 300,005,433 - 100,016,300.
        # (Before the fix the function returned None: "no liquidation price" for a short.)
        result = liquidation_price_tiered(side="short", entry_price=40_000, quantity=10_000, margin=400_000_000,
                                          table=KEY)
        assert result.price == pytest.approx(900_016_300 / 15_000, rel=1e-12)
        # above the last cap: the last tier, 10
        assert result.tier == tier(10)

    def test_a_one_times_long_has_no_price(self):
        # 1 BTC at 60,000 with 60,000 of margin (tier 2): (60,000 - 60,000 - 50) / 0.995 < 0, and in
        # tier 1 (60,000 - 60,000) / 0.996 = 0: no positive price. The tier is then the entry's: 60,000
        # is above 50,000 and at most 250,000, tier 2.
        result = liquidation_price_tiered(side="long", entry_price=60_000, quantity=1, margin=60_000, table=KEY)
        assert result == TieredLiquidation(price=None, tier=tier(2))

    def test_with_no_price_the_simple_model_reports_the_entry_tier_too(self):
        # 20 BTC at 60,000 = 1,200,000 (tier 4: 2.5%, cum 16,300), over-collateralised with 1,300,000:
        # 60,000 - (1,300,000 - 1,200,000 * 2.5% + 16,300) / 20 = 60,000 - 1,286,300 / 20 = -4,315 < 0
        result = liquidation_price_tiered(side="long", entry_price=60_000, quantity=20, margin=1_300_000, table=KEY,
                                          model="simple")
        assert result == TieredLiquidation(price=None, tier=tier(4))

    def test_simple_model_with_a_price_keeps_the_entry_tier(self):
        # 1x: 60,000 - (1,200,000 - 30,000 + 16,300) / 20 = 60,000 - 59,315 = 685, still tier 4
        result = liquidation_price_tiered(side="long", entry_price=60_000, quantity=20, margin=1_200_000, table=KEY,
                                          model="simple")
        assert result.price == pytest.approx(685, rel=1e-12)
        assert result.tier == tier(4)

    def test_an_entry_above_the_table_is_refused(self):
        with pytest.raises(MarginInputError) as caught:
            liquidation_price_tiered(side="long", entry_price=60_000, quantity=10_000, margin=600_000_000, table=KEY)
        assert caught.value.field == "notional"


# ============================================================================================
# Properties, against a bisection over the published rows
# ============================================================================================

def published_tier(notional: float) -> tuple[float, float]:
    """(MMR, cum) of the published bracket holding ``notional``; the last bracket above its cap."""
    for floor, cap, _, mmr, cum in PUBLISHED:
        if notional <= cap:
            return float(mmr), float(cum)
    return float(PUBLISHED[-1][3]), float(PUBLISHED[-1][4])


def max_leverage(notional: float) -> float:
    for floor, cap, lev, _, _ in PUBLISHED:
        if notional <= cap:
            return lev
    raise AssertionError(notional)


def surplus(p: dict, price: float) -> float:
    """Equity minus the tiered requirement (exchange model): negative once the position is liquidated."""
    s = 1 if p["side"] == "long" else -1
    mmr, cum = published_tier(p["quantity"] * price)
    return p["margin"] + s * p["quantity"] * (price - p["entry_price"]) - (p["quantity"] * price * mmr - cum)


def bisect_liquidation(p: dict) -> float | None:
    """The price where :func:`surplus` changes sign, by bisection (it is monotonic: see the module)."""
    s = 1 if p["side"] == "long" else -1
    entry = p["entry_price"]
    if s == 1:
        low, high = 0.0, entry
        if surplus(p, 1e-300) >= 0:
            return None  # alive at any positive price
    else:
        low, high = entry, entry
        while surplus(p, high) > 0:
            high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        alive = surplus(p, middle) > 0
        if (s == 1) == alive:
            high = middle
        else:
            low = middle
    return (low + high) / 2


#: a BTCUSDT position within Binance's limits: notional inside the table, leverage within its
#: published tier (:func:`max_leverage`, from the transcribed rows, not the shipped table)
TIERED_POSITIONS = strategies.tiered_positions(max_leverage)


def tiered_result(p: dict, **changes) -> TieredLiquidation:
    kwargs = {k: p[k] for k in ("side", "entry_price", "quantity", "margin")}
    return liquidation_price_tiered(**{**kwargs, **changes}, table=KEY)


def tiered(p: dict, **changes) -> float | None:
    return tiered_result(p, **changes).price


#: at most 200 examples a property: the whole suite stays within its time budget in CI
PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(TIERED_POSITIONS)
def test_tiered_price_is_self_consistent(p):
    result = tiered_result(p)
    price = result.price
    entry_tier = tier_for_notional(table=KEY, notional=p["quantity"] * p["entry_price"])
    if price is None:
        # only a long whose margin covers a fall to zero (to rounding: at exactly 1x both are 0)
        assert p["side"] == "long" and surplus(p, 1e-300) >= -1e-9 * p["margin"]
        assert result.tier == entry_tier
    else:
        # the reported tier holds the notional at the price (its cap included; its floor too, where
        # both neighbours give the same price), the last tier above the table
        notional = p["quantity"] * price
        reported = result.tier
        assert reported.floor <= notional
        assert notional <= reported.cap or reported == margin.load_tier_table(KEY).tiers[-1]
        # and its rate and amount give the price
        assert liquidation_price_isolated(
            side=p["side"], entry_price=p["entry_price"], quantity=p["quantity"], margin=p["margin"],
            mmr=reported.mmr, maintenance_amount=reported.maintenance_amount) == price
        # the tier that holds the notional at the price is the tier that gives the price ...
        tier = tier_for_notional(table=KEY, notional=min(p["quantity"] * price, 500_000_000))
        again = liquidation_price_isolated(side=p["side"], entry_price=p["entry_price"], quantity=p["quantity"],
                                           margin=p["margin"], mmr=tier.mmr, maintenance_amount=tier.maintenance_amount)
        assert again == pytest.approx(price, rel=1e-9)
        # ... and there equity equals that tier's requirement
        s = 1 if p["side"] == "long" else -1
        equity = p["margin"] + s * p["quantity"] * (price - p["entry_price"])
        requirement = p["quantity"] * price * tier.mmr - tier.maintenance_amount
        assert abs(equity - requirement) <= 1e-9 * max(abs(requirement), p["margin"])


@PROPERTY
@given(TIERED_POSITIONS)
def test_tiered_price_agrees_with_a_bisection_over_the_published_table(p):
    expected = bisect_liquidation(p)
    price = tiered(p)
    # "no price" is the price 0: at exactly 1x rounding decides between None and a few ulps above 0
    assert (price or 0.0) == pytest.approx(expected or 0.0, rel=1e-9, abs=1e-9 * p["entry_price"])


@PROPERTY
@given(TIERED_POSITIONS)
def test_tiered_liquidation_lies_between_bankruptcy_and_entry(p):
    # Within the tier's leverage limit, 1/L > MMR at entry, so the position opens alive; the tiered
    # requirement is positive at the bankruptcy price, so it is liquidated before it. Narrowed for
    # longs to L >= 1.001: at 1x a long has neither price, and just above 1x both are within
    # rounding of 0, where the order of two near-zero doubles says nothing about the formula.
    assume(not (p["side"] == "long" and p["leverage"] < 1.001))
    price = tiered(p)
    bankrupt = bankruptcy_price(side=p["side"], entry_price=p["entry_price"], quantity=p["quantity"],
                                margin=p["margin"])
    if p["side"] == "long":
        assert bankrupt < price < p["entry_price"]
    else:
        assert p["entry_price"] < price < bankrupt


@PROPERTY
@given(TIERED_POSITIONS, strategies.EXTRA_MARGIN_FRACTIONS)
def test_adding_margin_never_moves_the_tiered_price_toward_the_entry(p, extra):
    before = tiered(p)
    after = tiered(p, margin=p["margin"] * (1 + extra))
    # exact in reals; a step between two tiers' lines may round an ulp either way
    slack = 1e-12 * p["entry_price"]
    if p["side"] == "long":
        assert after is None or (before is not None and after <= before + slack)
    else:
        assert after >= before - slack


@PROPERTY
@given(TIERED_POSITIONS)
def test_a_short_always_has_a_tiered_price(p):
    # a short loses without limit as the price rises: some price always liquidates it, even one that
    # takes its notional beyond the table's last bracket
    p = {**p, "side": "short"}
    price = tiered(p)
    assert price is not None and math.isfinite(price) and price > p["entry_price"]
