"""Carrying answers through crosswalks: the test pair by hand, chains, and properties."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.domain.formats.answer_file import load_answers_file
from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.loading.loader import load_instrument
from assessment.domain.model.answers import Answer
from assessment.domain.model.crosswalk import CombineRule, Crosswalk, PracticeLink
from assessment.domain.model.instrument import Instrument
from assessment.domain.rules.carry import (
    carry_answers,
    confirmed_practices,
    crosswalk_path,
    unconfirmed_practices,
)
from assessment.domain.rules.scoring import score_assessment
from assessment.resources import questionnaires_dir
from tests.crosswalk_pair import V1, V2, pair_folder
from tests.unit.instruments import YES_NO, make_instrument, practice
from tests.unit.test_scoring_properties import figures, instruments_with_answers


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> InstrumentCatalog:
    """A catalog of the test pair."""
    return InstrumentCatalog(pair_folder(tmp_path_factory.mktemp("pair")))


def example_answers(name: str) -> dict[str, Answer]:
    """The answers of one bundled example file."""
    return dict(load_answers_file(questionnaires_dir() / "examples" / f"{name}.json").answers)


def carried_example(catalog: InstrumentCatalog, name: str) -> tuple[Instrument, dict[str, Answer]]:
    """An example's 1.0.0 answers carried to the test 2.0.0."""
    instruments = {i.key: i for i in catalog.all()}
    chain = catalog.crosswalk_chain(V1, V2)
    assert chain is not None
    carried = carry_answers(example_answers(name), instruments[V1], chain, instruments)
    assert (carried.source, carried.target) == (V1, V2)
    assert carried.equivalent_share == 6 / 8  # policy.social-listening, protocols.verification
    return instruments[V2], dict(carried.answers)


def test_the_starting_agency_carried_to_version_2(catalog: InstrumentCatalog) -> None:
    instrument, answers = carried_example(catalog, "starting-agency")

    assert answers == {
        "policy.written-policy": Answer(
            "policy.written-policy",
            "fully",
            comment="Social-media policy signed by the chief of police; covers official use, "
            "personal use and public-records law.",
        ),
        "policy.account-register": Answer(
            "policy.account-register",
            "largely",
            comment="Register lists the department page and the chief's page; one old "
            "community-event page is still being closed.",
        ),
        # strategy "not" and review cycle "not": the lowest of the two.
        "policy.strategy-and-review": Answer(
            "policy.strategy-and-review", "not", comment="The policy has no review date."
        ),
        # EU data protection not applicable, privacy safeguards unanswered: not applicable.
        "legal.data-protection": Answer(
            "legal.data-protection",
            not_applicable=True,
            comment="US agency: Directive (EU) 2016/680 does not apply.",
        ),
        "protocols.account-security": Answer("protocols.account-security", "no"),
    }
    result = score_assessment(instrument, answers)
    # policy: (1 + 0.75 + 0) / 3; levels: 2 met, strategy-and-review unmet at 3.
    assert result.dimensions["policy"].score == pytest.approx(175 / 3)
    assert result.dimensions["policy"].level == 2
    assert result.dimensions["policy"].coverage == pytest.approx(3 / 4)
    # legal: nothing applicable answered; covert authorisation unanswered blocks level 3.
    assert result.dimensions["legal"].score is None
    assert result.dimensions["legal"].level == 2
    assert result.dimensions["legal"].coverage == 0.0
    # protocols: "no" on account security, verification unanswered.
    assert result.dimensions["protocols"].score == 0.0
    assert result.dimensions["protocols"].level == 1
    assert result.overall.score == pytest.approx((175 / 3 + 0) / 2)
    assert result.overall.level == 1
    assert result.overall.coverage == pytest.approx(4 / 7)


def test_the_mid_level_agency_carried_to_version_2(catalog: InstrumentCatalog) -> None:
    instrument, answers = carried_example(catalog, "mid-level-agency")

    options = {pid: (a.option_id, a.not_applicable) for pid, a in answers.items()}
    assert options == {
        "policy.written-policy": ("fully", False),
        "policy.account-register": ("fully", False),
        "policy.strategy-and-review": ("largely", False),  # lowest of largely and fully
        "legal.data-protection": ("fully", False),  # highest of largely and fully
        "legal.covert-authorisation": ("some", False),  # largely -> some
        "protocols.account-security": ("yes", False),  # fully -> yes
    }
    assert answers["legal.data-protection"].comment.startswith("Impact assessment done")
    result = score_assessment(instrument, answers)
    assert result.dimensions["policy"].score == pytest.approx(275 / 3)
    assert result.dimensions["policy"].level == 2  # social listening unanswered at 3
    assert result.dimensions["legal"].score == pytest.approx(75.0)
    assert result.dimensions["legal"].level == 2  # "some" (0.5) is not met
    assert result.dimensions["protocols"].score == 100.0
    assert result.dimensions["protocols"].level == 1  # verification unanswered at 2
    assert result.overall.score == pytest.approx((275 / 3 + 75 + 100) / 3)
    assert result.overall.level == 1
    assert result.overall.coverage == pytest.approx(6 / 8)


def _link(source: str, target: str, options: dict[str, str]) -> PracticeLink:
    return PracticeLink(source, target, options)


def test_a_chain_carries_step_by_step_and_shares_what_the_whole_chain_reaches() -> None:
    yes_no = {"no": "no", "yes": "yes"}
    one = make_instrument(
        practice("policy.a", 2, answer_set=YES_NO), practice("policy.b", 2, answer_set=YES_NO)
    )
    two = dataclasses.replace(
        make_instrument(
            practice("policy.a2", 2, answer_set=YES_NO), practice("policy.c", 2, answer_set=YES_NO)
        ),
        version="2.0.0",
    )
    three = dataclasses.replace(
        make_instrument(
            practice("policy.a3", 2, answer_set=YES_NO),
            practice("policy.c3", 2, answer_set=YES_NO),
            practice("policy.d", 2, answer_set=YES_NO),
        ),
        version="3.0.0",
    )
    first = Crosswalk(one.key, two.key, (_link("policy.a", "policy.a2", yes_no),))
    second = Crosswalk(
        two.key,
        three.key,
        (_link("policy.a2", "policy.a3", yes_no), _link("policy.c", "policy.c3", yes_no)),
    )
    instruments = {i.key: i for i in (one, two, three)}
    chain = crosswalk_path([second, first], one.key, three.key)
    assert chain == (first, second)
    assert crosswalk_path([second, first], three.key, one.key) is None

    carried = carry_answers(
        {"policy.a": Answer("policy.a", "yes"), "policy.b": Answer("policy.b", "no")},
        one,
        chain,
        instruments,
    )

    assert carried.answers == {"policy.a3": Answer("policy.a3", "yes")}
    # policy.c3 has an equivalent in 2.0.0 but none in 1.0.0: only a3 of three is reached.
    assert carried.equivalent_share == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="does not start at"):
        carry_answers({}, two, chain, instruments)


def test_combining_picks_by_credit_and_carries_not_applicable_only_where_allowed() -> None:
    old = make_instrument(
        practice("policy.a", 2, allow_not_applicable=True),
        practice("policy.b", 2, allow_not_applicable=True),
    )
    new = dataclasses.replace(
        make_instrument(practice("policy.ab", 2), practice("policy.lo", 2)), version="2.0.0"
    )
    same = {o: o for o in ("not", "partial", "largely", "fully")}
    crosswalk = Crosswalk(
        old.key,
        new.key,
        (
            _link("policy.a", "policy.ab", same),
            _link("policy.b", "policy.ab", same),
            _link("policy.a", "policy.lo", same),
            _link("policy.b", "policy.lo", same),
        ),
        {"policy.ab": CombineRule.HIGHEST, "policy.lo": CombineRule.LOWEST},
    )
    instruments = {old.key: old, new.key: new}

    def carry(a: Answer, b: Answer) -> dict[str, Answer]:
        return dict(
            carry_answers(
                {a.practice_id: a, b.practice_id: b}, old, (crosswalk,), instruments
            ).answers
        )

    both = carry(
        Answer("policy.a", "partial", comment="x"), Answer("policy.b", "fully", comment="y")
    )
    assert both["policy.ab"] == Answer("policy.ab", "fully", comment="x\ny")
    assert both["policy.lo"] == Answer("policy.lo", "partial", comment="x\ny")
    one_na = carry(Answer("policy.a", not_applicable=True), Answer("policy.b", "largely"))
    assert one_na["policy.ab"].option_id == "largely"
    # Both not applicable, but the new practices do not allow it: nothing is carried.
    assert (
        carry(Answer("policy.a", not_applicable=True), Answer("policy.b", not_applicable=True))
        == {}
    )


@st.composite
def identity_cases(draw: st.DrawFn) -> tuple[Instrument, Instrument, Crosswalk, dict[str, Answer]]:
    """An instrument, its next major version unchanged, a one-to-one crosswalk, answers."""
    instrument, answers = draw(instruments_with_answers())
    successor = dataclasses.replace(instrument, version="2.0.0")
    links = tuple(
        PracticeLink(p.id, p.id, {o.id: o.id for o in p.answer_set.options})
        for p in instrument.practices()
    )
    return instrument, successor, Crosswalk(instrument.key, successor.key, links), answers


@given(identity_cases())
def test_a_one_to_one_crosswalk_with_identical_options_reproduces_the_scores(
    case: tuple[Instrument, Instrument, Crosswalk, dict[str, Answer]],
) -> None:
    instrument, successor, crosswalk, answers = case
    instruments = {instrument.key: instrument, successor.key: successor}

    carried = carry_answers(answers, instrument, (crosswalk,), instruments)

    assert carried.equivalent_share == 1.0
    before = score_assessment(instrument, answers)
    after = score_assessment(successor, carried.answers)
    assert figures(after) == figures(before)
    assert after.dimensions == before.dimensions
    assert after.themes == before.themes


@given(instruments_with_answers(), st.data())
def test_carried_answers_never_count_as_confirmed(
    case: tuple[Instrument, dict[str, Answer]], data: st.DataObject
) -> None:
    _, answers = case
    carried = data.draw(st.sets(st.sampled_from(sorted(answers)))) if answers else set()

    confirmed = confirmed_practices(answers, carried)
    unconfirmed = unconfirmed_practices(answers, carried)

    assert not confirmed & carried
    assert unconfirmed <= carried
    assert confirmed | unconfirmed == {pid for pid, a in answers.items() if a.is_answered}


def test_the_catalog_refuses_a_broken_crosswalk(tmp_path: Path) -> None:
    folder = pair_folder(tmp_path)
    (folder / "x.crosswalk.yaml").write_text("crosswalk: 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"x\.crosswalk\.yaml:1: top level: missing required key"):
        InstrumentCatalog(folder).crosswalk_chain(V1, V2)


@pytest.mark.parametrize("name", ["eu-local.json", "uk-national.json"])
def test_a_one_to_one_crosswalk_keeps_format_2_figures(name: str) -> None:
    folder = Path(__file__).parents[1] / "data" / "format2"
    instrument = load_instrument(folder / "fmt2-mini-2.0.0.yaml")
    answers_file = load_answers_file(folder / name)
    successor = dataclasses.replace(instrument, version="2.1.0")
    links = tuple(
        PracticeLink(p.id, p.id, {o.id: o.id for o in p.answer_set.options})
        for p in instrument.practices()
    )
    crosswalk = Crosswalk(instrument.key, successor.key, links)
    instruments = {instrument.key: instrument, successor.key: successor}

    carried = carry_answers(answers_file.answers, instrument, (crosswalk,), instruments)

    before = score_assessment(instrument, answers_file.answers, answers_file.profile)
    after = score_assessment(successor, carried.answers, answers_file.profile)
    assert dataclasses.replace(after, instrument_version=before.instrument_version) == before
