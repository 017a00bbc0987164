"""``margin.shock_sweep``, the compare calculator's chart: every point must be :func:`margin.shock` itself.

The sweep restates the shock as lines in the common move, over one integer denominator, so that a
41-point chart costs about as much as a few shocks; this property is what keeps the restatement honest.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings

from calculators import margin

import strategies

STEPS = [Fraction(k, 40) - Fraction(1, 2) for k in range(41)]


@settings(max_examples=60)
@given(strategies.sweep_accounts(), strategies.MODELS)
def test_every_point_of_the_sweep_is_the_shock_at_that_move(account, model):
    wallet, positions, margins, moves = account
    points = margin.shock_sweep(wallet_balance=wallet, positions=positions, moves=moves, margins=margins,
                                common_moves=STEPS, model=model)
    expected_moves = [step for step in STEPS if all(move + step > -1 for move in moves)]
    assert [point[0] for point in points] == expected_moves
    for common, isolated_left, cross_left in points:
        shocked = margin.shock(wallet_balance=wallet, positions=positions, moves=[m + common for m in moves],
                               margins=margins, model=model)
        assert (isolated_left, cross_left) == (shocked.isolated.balance_left, shocked.cross.balance_left)


def test_the_guides_sol_long_on_the_boundary_is_liquidated_along_the_sweep_too():
    # SOL long from 185, 10,000 at 10x (margin 1,000), 0.5%, simple model: at a move of -9.5% the
    # margin plus the loss, 1,000 - 950 = 50, equals the requirement 10,000 * 0.5% = 50: liquidated,
    # so isolated keeps 3,000 - 1,000 = 2,000 (worked by hand).
    sol = margin.Position(side="long", entry_price=185, quantity=Fraction(10_000, 185), mmr=Fraction(5, 1000))
    [(common, isolated_left, cross_left)] = margin.shock_sweep(
        wallet_balance=3_000, positions=[sol], moves=[0], margins=[1_000], common_moves=[Fraction(-95, 1000)],
        model="simple")
    assert isolated_left == 2_000
    assert cross_left == 3_000 - 950
