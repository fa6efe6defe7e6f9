"""Peer statistics against hand-computed values, and the anonymity rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import pandas as pd
import pytest

from assessment.domain.formats.figures_dict import statistics_to_dict
from assessment.domain.rules.benchmark import (
    AnonymityError,
    GroupRefused,
    LevelCount,
    PeerGroup,
    Summary,
    agency_position,
    peer_statistics,
    percentile_rank,
    prepare_frame,
    validate_k,
)
from assessment.domain.rules.disclosure import admits, published_cuts, release_numbers

Figure = tuple[float | None, int | None]


def agency_rows(
    agency_id: int,
    country: str = "NL",
    agency_type: str = "local",
    size_band: str = "small",
    *,
    overall: Figure = (50.0, 2),
    dimensions: Mapping[str, Figure] | None = None,
    themes: Mapping[str, float | None] | None = None,
) -> list[dict[str, object]]:
    """The result rows of one agency's submitted assessment, as the store gives them."""
    base = {
        "agency_id": agency_id,
        "agency": f"Agency {agency_id}",
        "country": country,
        "agency_type": agency_type,
        "size_band": size_band,
        "round_id": 1,
        "round": "2025",
        "instrument_id": "sm",
        "instrument_version": "1.0.0",
        "coverage": 1.0,
    }
    rows = [
        {**base, "scope": "overall", "key": "overall", "score": overall[0], "level": overall[1]}
    ]
    for key, (score, level) in (dimensions or {}).items():
        rows.append({**base, "scope": "dimension", "key": key, "score": score, "level": level})
    for key, theme_score in (themes or {}).items():
        rows.append({**base, "scope": "theme", "key": key, "score": theme_score, "level": None})
    return rows


def frame_of(*agencies: list[dict[str, object]]) -> pd.DataFrame:
    """A long results frame from several agencies' rows."""
    return pd.DataFrame([row for rows in agencies for row in rows])


def overall_frame(scores: list[float]) -> pd.DataFrame:
    """Agencies 1..n with these overall scores and level 2."""
    return frame_of(*(agency_rows(i + 1, overall=(s, 2)) for i, s in enumerate(scores)))


def test_statistics_of_five_agencies_match_hand_computed_values() -> None:
    stats = peer_statistics(overall_frame([30, 10, 50, 20, 40]), PeerGroup())

    cell = stats.cell("overall", "overall")
    assert cell is not None
    # K <= n < 2K: the median alone; never a minimum or maximum (one agency's score each)
    assert cell.summary == Summary(n=5, median=30)
    assert stats.n_agencies == 5
    assert not cell.withheld


def test_quartiles_from_2k_agencies_interpolate_and_round_to_whole_points() -> None:
    stats = peer_statistics(overall_frame([10, 20, 30, 40, 50, 60]), PeerGroup(), k=3)

    summary = stats.cell("overall", "overall").summary  # type: ignore[union-attr]
    assert summary is not None
    # positions (n - 1) * p = 1.25, 2.5, 3.75 give 22.5, 35, 47.5, rounded half up
    assert (summary.q1, summary.median, summary.q3) == (23.0, 35.0, 48.0)
    assert summary.has_quartiles


def test_below_2k_agencies_only_the_median_is_published() -> None:
    stats = peer_statistics(overall_frame([10, 20, 30, 40, 50, 60, 70, 80, 90]), PeerGroup())

    cell = stats.cell("overall", "overall")
    assert cell is not None and cell.summary is not None
    assert (cell.summary.q1, cell.summary.median, cell.summary.q3) == (None, 50.0, None)
    assert cell.levels == ()  # level counts only where quartiles are shown


def test_group_filters_select_only_matching_agencies() -> None:
    nl = [agency_rows(i, "NL", overall=(float(10 * i), 2)) for i in range(1, 6)]
    de = [agency_rows(i, "DE", overall=(90.0, 4)) for i in range(6, 11)]

    stats = peer_statistics(frame_of(*nl, *de), PeerGroup(country="NL"))

    summary = stats.cell("overall", "overall").summary  # type: ignore[union-attr]
    assert summary == Summary(5, 30)


def test_dimensions_and_themes_each_get_their_own_figures_in_scope_order() -> None:
    agencies = [
        agency_rows(
            i,
            dimensions={"policy": (float(i), 1), "budget": (float(2 * i), 2)},
            themes={"dark-web": float(3 * i)},
        )
        for i in range(1, 6)
    ]
    stats = peer_statistics(frame_of(*agencies), PeerGroup())

    assert [(c.scope, c.key) for c in stats.cells] == [
        ("overall", "overall"),
        ("dimension", "policy"),
        ("dimension", "budget"),
        ("theme", "dark-web"),
    ]
    assert stats.cell("dimension", "budget").summary.median == 6.0  # type: ignore[union-attr]
    assert stats.cell("theme", "dark-web").summary.median == 9.0  # type: ignore[union-attr]
    assert stats.cell("theme", "dark-web").levels == ()  # type: ignore[union-attr]


def test_agencies_without_a_score_leave_that_figure_only() -> None:
    agencies = [agency_rows(i, themes={"dark-web": None if i > 4 else 50.0}) for i in range(1, 7)]
    stats = peer_statistics(frame_of(*agencies), PeerGroup(), k=3)

    assert stats.cell("overall", "overall").n == 6  # type: ignore[union-attr]
    assert stats.cell("theme", "dark-web").n == 4  # type: ignore[union-attr]


def test_figures_backed_by_fewer_than_k_agencies_are_withheld() -> None:
    stats = peer_statistics(overall_frame([10, 20, 30, 40]), PeerGroup())

    cell = stats.cell("overall", "overall")
    assert cell is not None
    assert cell.withheld
    assert cell.summary is None
    assert cell.n is None
    assert cell.levels == ()
    assert cell.withheld_reason == "not enough peers (n < 5)"
    assert stats.n_agencies is None


def test_k_is_configurable_down_to_three() -> None:
    stats = peer_statistics(overall_frame([10, 20, 30]), PeerGroup(), k=3)

    assert stats.cell("overall", "overall").summary.median == 20  # type: ignore[union-attr]
    withheld = peer_statistics(overall_frame([10, 20, 30]), PeerGroup(), k=4)
    assert withheld.cell("overall", "overall").withheld_reason == "not enough peers (n < 4)"  # type: ignore[union-attr]


@pytest.mark.parametrize("k", [2, 0, -5])
def test_k_below_three_is_rejected(k: int) -> None:
    with pytest.raises(AnonymityError, match=f"must be at least 3, got {k}"):
        peer_statistics(overall_frame([10, 20, 30]), PeerGroup(), k=k)


@pytest.mark.parametrize("k", ["5", 5.0, True, None])
def test_k_must_be_a_whole_number(k: object) -> None:
    with pytest.raises(AnonymityError, match="must be a whole number"):
        validate_k(k)


def test_a_group_a_few_agencies_short_of_a_coarser_group_is_refused() -> None:
    nl = [agency_rows(i, "NL") for i in range(1, 9)]
    de = [agency_rows(i, "DE") for i in range(9, 11)]

    with pytest.raises(GroupRefused) as refused:
        peer_statistics(frame_of(*nl, *de), PeerGroup(country="NL"))

    assert refused.value.group == PeerGroup(country="NL")
    assert str(refused.value).startswith(
        "this group (country NL) is not published: set against the other groups of the round "
        "it would single out fewer than 5 agencies"
    )


def test_a_group_k_or_more_agencies_short_of_every_coarser_group_is_allowed() -> None:
    nl = [agency_rows(i, "NL") for i in range(1, 6)]
    de = [agency_rows(i, "DE") for i in range(6, 11)]

    stats = peer_statistics(frame_of(*nl, *de), PeerGroup(country="NL"))

    assert stats.n_agencies == 5


def test_the_subtraction_check_covers_every_coarser_group() -> None:
    local = [agency_rows(i, "NL", "local") for i in range(1, 7)]
    regional = [agency_rows(i, "NL", "regional") for i in range(7, 9)]
    elsewhere = [agency_rows(i, "DE", "local") for i in range(9, 20)]
    frame = frame_of(*local, *regional, *elsewhere)

    with pytest.raises(GroupRefused, match=r"would single out fewer than 5"):
        peer_statistics(frame, PeerGroup(country="NL", agency_type="local"))
    # the same group, checked against a coarser group it equals, is not refused
    only_nl = frame_of(*local, *elsewhere[:0])
    stats = peer_statistics(only_nl, PeerGroup(country="NL", agency_type="local"))
    assert stats.n_agencies == 6


def test_a_group_too_small_to_show_is_not_refused_but_withheld() -> None:
    frame = frame_of(
        *(agency_rows(i, "NL") for i in range(1, 3)), *(agency_rows(i, "DE") for i in range(3, 9))
    )

    stats = peer_statistics(frame, PeerGroup(country="NL"))

    assert stats.cell("overall", "overall").withheld_reason == "not enough peers (n < 5)"  # type: ignore[union-attr]


def test_a_figure_that_subtraction_would_expose_is_withheld() -> None:
    nl = [agency_rows(i, "NL", themes={"dark-web": 40.0}) for i in range(1, 6)]
    # two German agencies score the theme, three have nothing applicable in it
    de = [agency_rows(i, "DE", themes={"dark-web": 60.0 if i < 8 else None}) for i in range(6, 11)]

    stats = peer_statistics(frame_of(*nl, *de), PeerGroup(country="NL"))

    theme = stats.cell("theme", "dark-web")
    assert theme is not None
    assert theme.withheld
    assert theme.withheld_reason == (
        "withheld: set against other groups it would single out fewer than 5 agencies"
    )
    assert not stats.cell("overall", "overall").withheld  # type: ignore[union-attr]


def test_level_counts_below_k_are_suppressed() -> None:
    levels = [1] + [2] * 4 + [3] * 5
    frame = frame_of(*(agency_rows(i, overall=(50.0, lv)) for i, lv in enumerate(levels, 1)))

    cell = peer_statistics(frame, PeerGroup()).cell("overall", "overall")

    assert cell is not None
    assert cell.levels == (
        LevelCount(1, None, None),
        LevelCount(2, None, None),
        LevelCount(3, 5, 0.5),
    )


def test_a_single_small_level_count_takes_another_count_down_with_it() -> None:
    levels = [1] * 2 + [2] * 5 + [3] * 6
    frame = frame_of(*(agency_rows(i, overall=(50.0, lv)) for i, lv in enumerate(levels, 1)))

    cell = peer_statistics(frame, PeerGroup(), levels=range(1, 6)).cell("overall", "overall")

    # otherwise n - 5 - 6 would give the hidden count of level 1
    assert cell is not None
    assert cell.levels == (
        LevelCount(1, None, None),
        LevelCount(2, None, None),
        LevelCount(3, 6, 6 / 13),
        LevelCount(4, 0, 0.0),
        LevelCount(5, 0, 0.0),
    )


def test_percentile_rank_counts_ties_as_half() -> None:
    assert percentile_rank([10, 20, 30, 40, 50], 30) == 50.0
    assert percentile_rank([10, 20, 20, 40], 20) == 50.0
    assert percentile_rank([10, 20, 30, 40, 50], 5) == 0.0
    assert percentile_rank([10, 20, 30, 40, 50], 50) == 90.0
    with pytest.raises(ValueError, match="empty group"):
        percentile_rank([], 1)


def test_agency_position_gives_its_scores_and_ranks() -> None:
    agencies = [
        agency_rows(i, overall=(float(10 * i), 2), dimensions={"policy": (float(i), 1)})
        for i in range(1, 6)
    ]
    position = agency_position(frame_of(*agencies), PeerGroup(), agency_id=4)

    overall = position.figure("overall", "overall")
    assert overall is not None
    assert (overall.score, overall.level, overall.percentile_rank) == (40.0, 2, 70.0)
    assert position.figure("dimension", "policy").percentile_rank == 70.0  # type: ignore[union-attr]


def test_no_percentile_rank_where_the_figure_is_withheld() -> None:
    agencies = [agency_rows(i, overall=(float(10 * i), 2)) for i in range(1, 5)]
    position = agency_position(frame_of(*agencies), PeerGroup(), agency_id=2)

    overall = position.figure("overall", "overall")
    assert overall is not None
    assert overall.score == 20.0
    assert overall.percentile_rank is None
    assert overall.withheld_reason == "not enough peers (n < 5)"


def test_peer_group_names_and_coarser_groups() -> None:
    group = PeerGroup(country="NL", agency_type="local", size_band="")

    assert group.size_band is None
    assert group.describe() == "country NL, type local"
    assert PeerGroup().describe() == "all agencies"
    assert group.coarser() == (
        PeerGroup(country="NL"),
        PeerGroup(agency_type="local"),
        PeerGroup(),
    )


def test_statistics_as_data_round_scores_and_blank_withheld_figures() -> None:
    shown = statistics_to_dict(peer_statistics(overall_frame([10, 20, 30, 40, 50.04]), PeerGroup()))
    withheld = statistics_to_dict(peer_statistics(overall_frame([10, 20]), PeerGroup()))

    assert shown["group"] == {
        "country": None,
        "agency_type": None,
        "size_band": None,
        "description": "all agencies",
    }
    figure = shown["figures"][0]
    assert (figure["q1"], figure["median"], figure["q3"], figure["n"]) == (None, 30, None, 5)
    assert figure["levels"] == []
    assert "min" not in figure and "max" not in figure and "mean" not in figure
    assert shown["disclosure"] == {"k": 5, "median_from": 5, "quartiles_from": 10, "precision": 1}
    assert withheld["n_agencies"] is None
    assert withheld["figures"][0] == {
        "scope": "overall",
        "key": "overall",
        "n": None,
        "withheld": True,
        "reason": "not enough peers (n < 5)",
        "q1": None,
        "median": None,
        "q3": None,
        "levels": [],
    }


def test_figures_nobody_scored_are_listed_as_withheld() -> None:
    frame = frame_of(
        *(agency_rows(i, overall=(None, 1), themes={"dark-web": None}) for i in range(6))
    )

    stats = peer_statistics(frame, PeerGroup())

    assert [(c.scope, c.key, c.withheld_reason) for c in stats.cells] == [
        ("overall", "overall", "not enough peers (n < 5)"),
        ("theme", "dark-web", "not enough peers (n < 5)"),
    ]
    assert stats.n_agencies == 6


def test_an_empty_round_gives_no_figures() -> None:
    stats = peer_statistics(overall_frame([10])[0:0], PeerGroup(country="NL"))

    assert stats.cells == ()
    assert stats.n_agencies is None


def test_a_prepared_frame_gives_the_same_statistics() -> None:
    frame = overall_frame([30, 10, 50, 20, 40])

    assert peer_statistics(prepare_frame(frame), PeerGroup()) == peer_statistics(frame, PeerGroup())
    assert prepare_frame(prepare_frame(frame))["key"].dtype == "category"


def test_a_chain_of_three_groups_cannot_isolate_the_remaining_agencies() -> None:
    # NL less its local and its regional agencies would leave the 2 specialist ones
    frame = frame_of(
        *(agency_rows(i, "NL", "local") for i in range(1, 6)),
        *(agency_rows(i, "NL", "regional") for i in range(6, 11)),
        *(agency_rows(i, "NL", "specialist") for i in range(11, 13)),
        *(agency_rows(i, "DE", "local") for i in range(13, 19)),
    )
    chain = [
        PeerGroup(country="NL"),
        PeerGroup(country="NL", agency_type="local"),
        PeerGroup(country="NL", agency_type="regional"),
    ]

    published = []
    for group in chain:
        try:
            published.append(peer_statistics(frame, group).n_agencies)
        except GroupRefused:
            published.append(None)

    # each pair alone differs by at least K; the three together would not
    assert None in published


def test_published_groups_leave_no_set_of_one_to_k_minus_one_agencies() -> None:
    profiles = [("NL", "local", "s")] * 6 + [("NL", "regional", "s")] * 6
    profiles += [("DE", "local", "m")] * 7 + [("DE", "regional", "s")] * 3

    published = published_cuts(profiles, [0] * len(profiles), 5)

    members = [
        {i for i, profile in enumerate(profiles) if admits(group, profile)} for group in published
    ]
    signatures: dict[tuple[bool, ...], int] = {}
    for i in set().union(*members):
        key = tuple(i in m for m in members)
        signatures[key] = signatures.get(key, 0) + 1
    assert min(signatures.values()) >= 5
    assert (None, None, None) in published


def test_an_open_round_publishes_nothing_and_says_why() -> None:
    frame = overall_frame([10, 20, 30, 40, 50, 60]).assign(round_open=True)

    stats = peer_statistics(frame, PeerGroup())

    assert stats.n_agencies is None
    assert stats.cell("overall", "overall").withheld_reason.startswith(  # type: ignore[union-attr]
        "published when the round closes"
    )


def test_each_closing_of_a_round_publishes_the_submissions_made_before_it() -> None:
    day = [datetime(2025, 5, d, tzinfo=UTC) for d in range(1, 8)]
    submitted = [day[0], day[1], day[3], None, day[5]]

    assert release_numbers(submitted, [day[2], day[4]], is_open=True) == [0, 0, 1, 0, None]
    assert release_numbers(submitted, [day[2], day[4]], is_open=False) == [0, 0, 1, 0, 2]
    assert release_numbers(submitted, [], is_open=False) == [0, 0, 0, 0, 0]
    assert release_numbers(submitted, [], is_open=True) == [None] * 5


def test_a_group_that_grew_by_fewer_than_k_since_a_closing_keeps_its_figures() -> None:
    first = [agency_rows(i, overall=(float(10 * i), 2)) for i in range(1, 7)]
    late = agency_rows(7, "DE", overall=(99.0, 5))
    frame = frame_of(*first, late).assign(release=[0.0] * 6 + [1.0], round_open=False)

    stats = peer_statistics(frame, PeerGroup())

    assert stats.n_agencies == 6 and stats.as_of == 6
    assert stats.cell("overall", "overall").summary.median == 35.0  # type: ignore[union-attr]
