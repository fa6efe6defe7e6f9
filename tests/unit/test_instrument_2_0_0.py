"""Content rules of sm-policing-maturity 2.0.0 and its crosswalk from 1.0.0 (real loaders)."""

from __future__ import annotations

from collections import Counter

import pytest

from assessment.domain.loading.crosswalk import load_crosswalk
from assessment.domain.loading.loader import load_instrument
from assessment.domain.model.agency_profile import AGENCY_TYPES, WORKFORCE_BANDS
from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import (
    Gating,
    Instrument,
    OverallLevelRule,
    Practice,
    PracticeKind,
)
from assessment.domain.rules.scoring import visible_practices
from assessment.resources import questionnaires_dir

V1_FILE = "sm-policing-maturity-1.0.0.yaml"
V2_FILE = "sm-policing-maturity-2.0.0.yaml"
CROSSWALK_FILE = "sm-policing-maturity-1.0.0-to-2.0.0.crosswalk.yaml"
# The legal duties the review of 1.0.0 found scored as optional maturity (section 1, defect 1),
# with those the data-protection review of 2.0.0 added: deletion of research records, the covert
# review cycle and subject access.
LEGAL_DUTIES = {
    "legal.regime-per-activity",
    "legal.subject-access",
    "legal.open-source-retention",
    "legal.covert-review-cycle",
    "legal.account-privacy-notice",
    "legal.law-enforcement-safeguards",
    "legal.online-research-basis",
    "legal.covert-surveillance-authorised",
    "legal.covert-contact-authorised",
    "legal.impact-assessment-before-tools",
    "legal.no-face-scraping",
    "legal.no-trial-tools",
    "protocols.multi-factor-sign-in",
    "protocols.threat-to-life",
    "protocols.appeals-safeguards",
}
# Data-protection duties that must apply to a force under each legal regime without any answer.
DATA_PROTECTION_BY_REGIME = {
    "eu": {"legal.regime-per-activity", "legal.account-privacy-notice", "legal.subject-access"},
    "uk": {"legal.regime-per-activity", "legal.account-privacy-notice", "legal.subject-access"},
    "other": {
        "legal.regime-per-activity",
        "legal.national-law-mapped",
        "legal.subject-access",
    },
}
# The duties online research brings, under every regime (the Catt case: monitoring events).
RESEARCH_DUTIES = {
    "legal.law-enforcement-safeguards",
    "legal.online-research-basis",
    "legal.open-source-retention",
    "protocols.research-devices",
    "protocols.event-monitoring-plan",
}


@pytest.fixture(scope="module")
def v1() -> Instrument:
    """The 1.0.0 instrument."""
    return load_instrument(questionnaires_dir() / V1_FILE)


@pytest.fixture(scope="module")
def v2() -> Instrument:
    """The 2.0.0 instrument, parsed by the product's loader."""
    return load_instrument(questionnaires_dir() / V2_FILE)


def of_kind(instrument: Instrument, kind: PracticeKind) -> list[Practice]:
    """The instrument's practices of one kind."""
    return [p for p in instrument.practices() if p.kind is kind]


def test_the_instrument_is_format_two_with_critical_gating_and_no_overall_level(
    v2: Instrument,
) -> None:
    assert v2.key == "sm-policing-maturity@2.0.0"
    assert v2.scoring.gating is Gating.CRITICAL
    assert v2.scoring.overall_level_rule is OverallLevelRule.NONE
    assert v2.scoring.baseline_cap == 1
    assert [d.id for d in v2.dimensions] == [
        "policy",
        "staffing",
        "training",
        "budget",
        "legal",
        "protocols",
    ]


def test_every_answer_option_is_defined(v2: Instrument) -> None:
    for answer_set in v2.answer_sets.values():
        for option in answer_set.options:
            assert option.definition is not None and len(str(option.definition)) > 30, option.id


def test_the_review_s_legal_duties_are_baseline_practices(v2: Instrument) -> None:
    assert {p.id for p in of_kind(v2, PracticeKind.BASELINE)} == LEGAL_DUTIES | {
        "legal.national-law-mapped"
    }


def test_screening_questions_are_unscored_and_only_open_follow_ups(v2: Instrument) -> None:
    screening = {p.id for p in of_kind(v2, PracticeKind.SCREENING)}
    assert screening == {
        "legal.screen-online-research",
        "legal.screen-covert",
        "legal.screen-automated-tools",
    }
    for practice in of_kind(v2, PracticeKind.SCREENING):
        assert practice.recommendation is None
        assert any(
            p.show_if is not None and p.show_if.practice_id == practice.id for p in v2.practices()
        ), f"{practice.id} opens no follow-up"


@pytest.mark.parametrize("regime", sorted(DATA_PROTECTION_BY_REGIME))
def test_each_regime_keeps_its_data_protection_duties(v2: Instrument, regime: str) -> None:
    visible = {p.id for p in visible_practices(v2, {}, {"jurisdiction": regime})}
    assert DATA_PROTECTION_BY_REGIME[regime] <= visible
    for practice_id in DATA_PROTECTION_BY_REGIME[regime]:
        practice = v2.practice(practice_id)
        assert practice is not None and not practice.allow_not_applicable, practice_id


@pytest.mark.parametrize("regime", sorted(DATA_PROTECTION_BY_REGIME))
def test_online_research_brings_its_duties_under_every_regime(v2: Instrument, regime: str) -> None:
    profile = {"jurisdiction": regime}
    screen = "legal.screen-online-research"
    without = {
        p.id for p in visible_practices(v2, {screen: Answer(screen, option_id="no")}, profile)
    }
    with_research = {
        p.id for p in visible_practices(v2, {screen: Answer(screen, option_id="yes")}, profile)
    }
    assert not RESEARCH_DUTIES & without
    assert with_research >= RESEARCH_DUTIES


def test_event_monitoring_counts_as_online_research(v2: Instrument) -> None:
    screen = v2.practice("legal.screen-online-research")
    assert screen is not None
    assert "monitoring events" in str(screen.text)
    assert "monitors events" in str(screen.guidance)


def test_the_event_monitoring_plan_gates_level_three(v2: Instrument) -> None:
    plan = v2.practice("protocols.event-monitoring-plan")
    assert plan is not None and plan.critical and plan.level == 3


def test_without_a_legal_regime_the_regime_specific_duties_stay_hidden(v2: Instrument) -> None:
    visible = {p.id for p in visible_practices(v2, {})}
    assert "legal.regime-per-activity" in visible
    assert "legal.account-privacy-notice" not in visible
    assert "legal.national-law-mapped" not in visible


def test_covert_follow_ups_appear_only_after_a_yes(v2: Instrument) -> None:
    follow_ups = {
        "legal.covert-surveillance-authorised",
        "legal.covert-contact-authorised",
        "legal.covert-review-cycle",
        "legal.covert-inspection",
    }
    hidden = {p.id for p in visible_practices(v2, {})}
    assert not follow_ups & hidden
    answered = {"legal.screen-covert": Answer("legal.screen-covert", option_id="yes")}
    assert follow_ups <= {p.id for p in visible_practices(v2, answered)}


@pytest.mark.parametrize("theme", ["trolling-harassment", "dark-web"])
def test_trolling_and_dark_web_have_practices_at_every_level_from_two_to_five(
    v2: Instrument, theme: str
) -> None:
    levels = {
        p.level for p in v2.practices() if theme in p.themes and p.kind is PracticeKind.MATURITY
    }
    assert levels >= {2, 3, 4, 5}


def test_every_dimension_gates_with_critical_practices_from_level_two(v2: Instrument) -> None:
    for dimension in v2.dimensions:
        critical = {p.level for p in dimension.practices if p.critical}
        assert 2 in critical, dimension.id


def test_small_forces_have_proportionate_alternatives(v2: Instrument) -> None:
    requirements = Counter(p.requirement for p in v2.practices() if p.requirement)
    assert requirements == {
        "situational-awareness": 2,
        "round-the-clock": 3,
        "out-of-hours-route": 2,
        "dark-web-capability": 2,
        "planned-resources": 2,
    }


def test_the_value_laden_level_five_gates_are_gone(v2: Instrument) -> None:
    ids = {p.id for p in v2.practices()}
    assert not ids & {"staffing.volunteer-moderators", "budget.co-production-fund"}


def test_every_cited_source_is_defined_and_every_source_is_cited(v2: Instrument) -> None:
    cited = {key for p in v2.practices() for key in p.sources}
    assert cited == set(v2.sources)


def test_the_review_s_source_corrections_are_made(v2: Instrument) -> None:
    citations = {key: str(source.citation) for key, source in v2.sources.items()}
    assert "EU-IRU" not in citations
    assert "Dark Web Team" in citations["EC3-DWT"]
    assert "Pridmore" in citations["PRIDMORE-2018"]
    assert "Media and communications" in citations["COP-MC"]
    assert "43514/15" in citations["CATT"]
    dark_web = {p.id: p for p in v2.practices() if "dark-web" in p.themes}
    assert all("EU-IRU" not in p.sources for p in dark_web.values())


def test_every_1_0_0_practice_is_in_the_crosswalk(v1: Instrument, v2: Instrument) -> None:
    crosswalk = load_crosswalk(questionnaires_dir() / CROSSWALK_FILE, {v1.key: v1, v2.key: v2})
    listed = {line.split(":")[0].strip() for line in _practice_lines()}
    assert listed == {p.id for p in v1.practices()}
    mapped = {link.source for link in crosswalk.links}
    no_equivalent = listed - mapped
    assert no_equivalent == {"staffing.volunteer-moderators", "budget.co-production-fund"}


def test_a_legal_duty_carries_as_met_only_from_fully(v1: Instrument, v2: Instrument) -> None:
    crosswalk = load_crosswalk(questionnaires_dir() / CROSSWALK_FILE, {v1.key: v1, v2.key: v2})
    for link in crosswalk.links:
        target = v2.practice(link.target)
        if target is not None and target.kind is PracticeKind.BASELINE:
            assert {old for old, new in link.options.items() if new == "met"} == {"fully"}


def _practice_lines() -> list[str]:
    """The keys of the crosswalk's `practices` mapping, read from the file."""
    lines = (questionnaires_dir() / CROSSWALK_FILE).read_text(encoding="utf-8").splitlines()
    start = lines.index("practices:") + 1
    end = lines.index("combine:")
    return [
        line
        for line in lines[start:end]
        if line.startswith("  ") and not line.startswith("   ") and line.strip()
    ]


def test_carried_answers_land_on_visible_practices(v1: Instrument, v2: Instrument) -> None:
    """A practice behind a screening question gets a carried answer only if the screen does."""
    crosswalk = load_crosswalk(questionnaires_dir() / CROSSWALK_FILE, {v1.key: v1, v2.key: v2})
    fed = {link.target for link in crosswalk.links}
    for target in fed:
        practice = v2.practice(target)
        assert practice is not None
        if practice.show_if is not None and practice.show_if.practice_id is not None:
            assert practice.show_if.practice_id in fed, f"{target} stays hidden"


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("staffing.dedicated-monitoring", "staffing.monitoring-team"),
        ("protocols.abuse-preservation", "protocols.evidence-capture"),
    ],
)
def test_a_narrower_1_0_0_practice_carries_at_most_partial(
    v1: Instrument, v2: Instrument, source: str, target: str
) -> None:
    crosswalk = load_crosswalk(questionnaires_dir() / CROSSWALK_FILE, {v1.key: v1, v2.key: v2})
    link = next(link for link in crosswalk.links if (link.source, link.target) == (source, target))
    assert set(link.options.values()) <= {"not", "partial"}


def test_every_data_protection_duty_sits_in_the_legal_dimension(v2: Instrument) -> None:
    """An open duty caps its own dimension: a data-protection breach must not read as budget."""
    trial_tools = v2.practice("legal.no-trial-tools")
    assert trial_tools is not None and trial_tools.kind is PracticeKind.BASELINE
    assert v2.practice("budget.no-trial-tools") is None


def test_a_small_force_can_cover_out_of_hours_through_the_control_room(v2: Instrument) -> None:
    own = v2.practice("staffing.monitored-hours")
    control_room = v2.practice("staffing.monitored-hours-control-room")
    assert own is not None and control_room is not None
    assert own.requirement == control_room.requirement == "out-of-hours-route"
    assert (control_room.level, control_room.critical) == (2, True)
    assert "control room" in str(control_room.text)


def test_citizen_group_ground_rules_gate_and_may_not_apply(v2: Instrument) -> None:
    ground_rules = v2.practice("protocols.citizen-group-ground-rules")
    assert ground_rules is not None
    assert ground_rules.critical and ground_rules.allow_not_applicable
    assert "neither joins, advises nor shares" in str(ground_rules.guidance)


def test_eea_forces_find_their_regime_and_keep_their_types_and_bands(v2: Instrument) -> None:
    regime = v2.profile_question("jurisdiction")
    assert regime is not None
    labels = {o.id: str(o.label) for o in regime.options}
    assert labels["eu"] == "EU or EEA state (GDPR applies)"
    assert "Norway, Iceland, Liechtenstein: choose this" in str(regime.help)
    agency_type, size_band = v2.profile_question("agency_type"), v2.profile_question("size_band")
    assert agency_type is not None and size_band is not None
    assert tuple(o.id for o in agency_type.options) == AGENCY_TYPES
    assert tuple(o.id for o in size_band.options) == WORKFORCE_BANDS
