"""Small counts are not published, nor the counts that would give them away."""

import itertools

import pytest
from django.utils import timezone

from jichi.opendata import population
from jichi.opendata.suppression import THRESHOLD, Group, suppress, table_groups
from jichi.registry.demo import generate_population
from jichi.tenancy.context import tenant_scope


def test_counts_of_one_and_two_are_suppressed_and_zero_and_three_are_not():
    counts = {"a": 0, "b": 1, "c": 2, "d": 3}
    assert suppress(counts, []) == {"b", "c"}
    assert THRESHOLD == 3


def test_a_lone_suppressed_cell_takes_the_smallest_other_cell_with_it():
    # total 10 = 1 + 4 + 5: with 4 and 5 shown, 10 − 9 would give the 1 away.
    counts = {"total": 10, "x": 1, "y": 4, "z": 5}
    assert suppress(counts, [Group("total", ("x", "y", "z"))]) == {"x", "y"}


def test_a_lone_suppressed_cell_among_zeros_takes_the_total():
    counts = {"total": 2, "x": 2, "y": 0}
    hidden = suppress(counts, [Group("total", ("x", "y"))])
    assert hidden == {"x", "total"}


def test_secondary_suppression_reaches_across_rows_and_columns():
    # Two areas × two bands with the totals; area a has one person in band 1.
    cells = {
        ("a", "b1"): 1, ("a", "b2"): 7, ("a", "sum"): 8,
        ("b", "b1"): 6, ("b", "b2"): 5, ("b", "sum"): 11,
        ("all", "b1"): 7, ("all", "b2"): 12, ("all", "sum"): 19,
    }  # fmt: skip
    groups = table_groups(["all", "a", "b"], ["b1", "b2"], row_total="sum", total_row="all")
    hidden = suppress(cells, groups)
    assert ("a", "b1") in hidden
    # No shown total minus the shown cells of its group gives a hidden cell alone.
    for group in groups:
        if group.total not in hidden:
            assert sum(p in hidden for p in group.parts) != 1


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_the_result_does_not_depend_on_the_order_of_the_groups(order):
    counts = {"t1": 10, "t2": 9, "x": 1, "y": 4, "z": 5, "w": 4}
    groups = [Group("t1", ("x", "y", "z")), Group("t2", ("y", "w", "x")), Group("t3", ())]
    counts["t3"] = 0
    expected = suppress(counts, groups)
    assert suppress(counts, [groups[i] for i in order]) == expected


def test_the_population_dataset_never_gives_a_small_count_away(yokohama):
    generate_population("141003", 300, seed=11)
    on = timezone.localdate()
    with tenant_scope("141003"):
        _, cells = population.counts(on)
        rows = population.rows("141003", "横浜市", on)
    assert rows[0]["地域コード"] == population.WHOLE
    assert list(rows[0]) == population.COLUMNS and len(population.COLUMNS) == 46
    shown_small = [
        (r["地域コード"], c)
        for r in rows
        for c in population.COUNTS
        if r[c] is not None and 0 < r[c] < THRESHOLD
    ]
    assert shown_small == []
    hidden = {(r["地域コード"], c) for r in rows for c in population.COUNTS if r[c] is None}
    assert hidden  # 300 residents over Yokohama's 町字: many small cells
    for group in population.groups([r["地域コード"] for r in rows]):
        if group.total not in hidden:
            assert sum(p in hidden for p in group.parts) != 1, group
    # What is shown is the register's count.
    for r in rows:
        for c in population.COUNTS:
            if r[c] is not None:
                assert r[c] == cells[(r["地域コード"], c)]
    whole = rows[0]
    assert whole["総人口"] == sum(
        v for (a, c), v in cells.items() if a != population.WHOLE and c == "総人口"
    )
    assert whole["備考"] == "" or whole["備考"] == population.NOTE


def test_bands_from_85_are_one_band():
    assert population.BANDS[-1] == "85歳以上" and len(population.BANDS) == 18
    assert population._band("100+") == population._band("85-89") == "85歳以上"
    assert population._band("80-84") == "80-84歳"
