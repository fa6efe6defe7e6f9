"""Content rules of the bundled instrument sm-policing-maturity 1.0.0, loaded by the real loader."""

from __future__ import annotations

import difflib
import itertools
import re
from collections import Counter

import pytest

from assessment.domain.loading.loader import load_instrument
from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Instrument, LevelRule, OverallLevelRule, Practice
from assessment.domain.rules.scoring import is_visible
from assessment.resources import questionnaires_dir

INSTRUMENT_FILE = "sm-policing-maturity-1.0.0.yaml"

DIMENSIONS = {
    "policy": "Policy",
    "staffing": "Staffing",
    "training": "Training",
    "budget": "Budget",
    "legal": "Legal framework",
    "protocols": "Protocols",
}
THEMES = {
    "privacy-ethics": "Privacy and ethics",
    "tone-engagement": "Tone and engagement",
    "crisis-gatherings": "Crisis and mass gatherings",
    "co-production": "Citizen co-production",
    "trolling-harassment": "Trolling and harassment",
    "dark-web": "Dark web",
}
LEVEL_NAMES = {1: "Initial", 2: "Developing", 3: "Defined", 4: "Managed", 5: "Optimising"}
# Not applicable is offered only where a practice can genuinely fall outside an agency's remit.
NOT_APPLICABLE_ALLOWED = {
    "staffing.dark-web-investigators",  # small agencies leave dark-web crime to national units
    "budget.dark-web-capability",
    "legal.dark-web-response",
    "legal.eu-data-protection",  # binds EU agencies only
    "legal.covert-online-activity",  # agencies that run no covert online work
}
HORIZONS_BY_LEVEL = {2: {"short"}, 3: {"short", "medium"}, 4: {"medium"}, 5: {"long"}}
QUESTION_OPENINGS = re.compile(
    r"^(does|do|did|is|are|was|has|have|can|will|should|how|what|which|who|when|why)\b",
    re.IGNORECASE,
)
NEAR_IDENTICAL = 0.9
PROFILE_IDS = ["country", "agency_type", "size_band", "population_served", "platforms"]


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    """The bundled instrument, parsed by the product's loader."""
    return load_instrument(questionnaires_dir() / INSTRUMENT_FILE)


@pytest.fixture(scope="module")
def practices(instrument: Instrument) -> list[Practice]:
    """Every practice of the instrument, dimension by dimension."""
    return list(instrument.practices())


def test_identity_languages_and_scale(instrument: Instrument) -> None:
    assert instrument.key == "sm-policing-maturity@1.0.0"
    assert instrument.languages == ("en",)
    assert {level.number: str(level.name) for level in instrument.levels} == LEVEL_NAMES
    assert all(str(level.description).strip() for level in instrument.levels)


def test_answer_sets_and_scoring_rules(instrument: Instrument) -> None:
    credits = {
        set_id: {(o.id, str(o.label), o.credit) for o in answer_set.options}
        for set_id, answer_set in instrument.answer_sets.items()
    }
    assert credits == {
        "implementation": {
            ("not", "Not implemented", 0.0),
            ("partial", "Partially implemented", 0.5),
            ("largely", "Largely implemented", 0.75),
            ("fully", "Fully implemented", 1.0),
        },
        "yes_no": {("no", "No", 0.0), ("yes", "Yes", 1.0)},
    }
    assert instrument.scoring.met_at == 0.75
    assert instrument.scoring.level_rule is LevelRule.GATED
    assert instrument.scoring.overall_level_rule is OverallLevelRule.LOWEST
    phases = [(p.id, str(p.title), p.start_month, p.end_month) for p in instrument.phases]
    assert phases == [
        ("short", "0-6 months", 0, 6),
        ("medium", "6-18 months", 6, 18),
        ("long", "18-36 months", 18, 36),
    ]


def test_six_dimensions_with_exact_ids_titles_and_level_descriptions(
    instrument: Instrument,
) -> None:
    assert {d.id: str(d.title) for d in instrument.dimensions} == DIMENSIONS
    for dimension in instrument.dimensions:
        assert dimension.weight == 1, dimension.id
        assert str(dimension.description).strip(), dimension.id
        assert sorted(dimension.level_descriptions) == [1, 2, 3, 4, 5], dimension.id
        assert all(str(text).strip() for text in dimension.level_descriptions.values())


def test_practice_counts(instrument: Instrument, practices: list[Practice]) -> None:
    assert 45 <= len(practices) <= 70
    for dimension in instrument.dimensions:
        assert 7 <= len(dimension.practices) <= 11, dimension.id


def test_every_dimension_has_practices_at_levels_two_to_five_and_none_at_the_floor(
    instrument: Instrument,
) -> None:
    for dimension in instrument.dimensions:
        assert {p.level for p in dimension.practices} == {2, 3, 4, 5}, dimension.id


def test_practice_ids_are_dimension_prefixed_kebab_slugs(instrument: Instrument) -> None:
    for dimension in instrument.dimensions:
        for practice in dimension.practices:
            assert re.fullmatch(rf"{dimension.id}\.[a-z0-9]+(-[a-z0-9]+)*", practice.id)


def test_themes_have_exact_ids_and_titles_and_each_tags_at_least_three_practices(
    instrument: Instrument, practices: list[Practice]
) -> None:
    assert {t.id: str(t.title) for t in instrument.themes.values()} == THEMES
    tagged = Counter(theme for p in practices for theme in p.themes)
    for theme_id in THEMES:
        assert tagged[theme_id] >= 3, theme_id
    assert set(tagged) <= set(THEMES)


def test_every_practice_cites_defined_sources_and_every_source_is_cited(
    instrument: Instrument, practices: list[Practice]
) -> None:
    cited: set[str] = set()
    for practice in practices:
        assert practice.sources, practice.id
        assert set(practice.sources) <= set(instrument.sources), practice.id
        cited.update(practice.sources)
    assert cited == set(instrument.sources)
    for source in instrument.sources.values():
        assert len(source.citation) > 30, source.key


def test_sources_named_by_the_domain_brief_are_defined(instrument: Instrument) -> None:
    expected = {"IACP-MP", "IACP-PD", "GLOBAL", "CoP", "CTG", "URB19", "HOC", "HMIC11"}
    expected |= {"LN12", "LN14", "EU-IRU", "EU-2016-680", "CEPOL"}
    assert expected <= set(instrument.sources)
    assert "2016/680" in instrument.sources["EU-2016-680"].citation


def test_every_practice_has_guidance_and_a_concrete_recommendation(
    instrument: Instrument, practices: list[Practice]
) -> None:
    phase_ids = {phase.id for phase in instrument.phases}
    for practice in practices:
        assert len(str(practice.guidance)) > 40, practice.id
        action = str(practice.recommendation.action)
        assert action.strip(), practice.id
        assert action.endswith("."), practice.id
        assert practice.recommendation.horizon in phase_ids, practice.id


def test_recommendation_horizon_follows_the_practice_level(practices: list[Practice]) -> None:
    for practice in practices:
        assert practice.recommendation.horizon in HORIZONS_BY_LEVEL[practice.level], practice.id


def test_dependencies_resolve_and_form_no_cycle(
    instrument: Instrument, practices: list[Practice]
) -> None:
    graph = {p.id: p.recommendation.depends_on for p in practices}
    for practice_id, needed in graph.items():
        assert practice_id not in needed
        for other in needed:
            assert instrument.practice(other) is not None, f"{practice_id} -> {other}"
    assert _cycle(graph) is None


def test_profile_questions(instrument: Instrument) -> None:
    profile = {q.id: q for q in instrument.profile}
    assert list(profile) == PROFILE_IDS
    assert (profile["country"].kind, profile["country"].required) == ("country", True)
    assert "ISO 3166-1 alpha-2" in str(profile["country"].help)
    assert profile["agency_type"].required and profile["size_band"].required
    assert [o.id for o in profile["agency_type"].options] == [
        "national",
        "regional",
        "local",
        "specialist",
    ]
    size_labels = {o.id: str(o.label) for o in profile["size_band"].options}
    assert list(size_labels) == ["under-100", "100-999", "1000-9999", "10000-plus"]
    assert size_labels["under-100"] == "Under 100 sworn officers"
    assert size_labels["10000-plus"] == "10,000 or more"
    assert profile["population_served"].kind == "integer"
    assert profile["platforms"].kind == "multi_choice"
    assert [o.id for o in profile["platforms"].options] == [
        "facebook",
        "x-twitter",
        "instagram",
        "youtube",
        "tiktok",
        "whatsapp",
        "telegram",
        "linkedin",
        "nextdoor",
        "other",
    ]


def test_practice_texts_are_checkable_statements(practices: list[Practice]) -> None:
    for practice in practices:
        text = str(practice.text)
        assert text.endswith("."), practice.id
        assert "?" not in text, practice.id
        assert not QUESTION_OPENINGS.match(text), practice.id
        assert 60 <= len(text) <= 320, practice.id


def test_no_duplicate_or_near_identical_texts(practices: list[Practice]) -> None:
    for field in ("text", "guidance", "action"):
        texts = {p.id: _field(p, field) for p in practices}
        assert len(set(texts.values())) == len(texts), field
        for (first, a), (second, b) in itertools.combinations(texts.items(), 2):
            assert not _near_identical(a, b), f"{field}: {first} ~ {second}"


def test_near_identical_catches_a_one_word_change() -> None:
    text = "Every official account has a named administrator and a named deputy."
    assert _near_identical(text, text.replace("deputy", "substitute"))
    assert not _near_identical(text, "Staff complete training before they get account access.")


def test_not_applicable_is_offered_only_where_a_practice_may_not_apply(
    practices: list[Practice],
) -> None:
    allowed = {p.id for p in practices if p.allow_not_applicable}
    assert allowed == NOT_APPLICABLE_ALLOWED
    for practice_id in allowed:
        guidance = next(str(p.guidance) for p in practices if p.id == practice_id)
        assert "not applicable" in guidance, practice_id


def test_yes_no_is_used_only_for_screening_questions_that_open_follow_ups(
    practices: list[Practice],
) -> None:
    screening = {p.id for p in practices if p.answer_set.id == "yes_no"}
    referenced = {p.show_if.practice_id for p in practices if p.show_if is not None}
    assert screening
    assert screening <= referenced


def test_covert_follow_ups_appear_only_after_a_yes(instrument: Instrument) -> None:
    follow_ups = [
        p
        for p in instrument.practices()
        if p.show_if is not None and p.show_if.practice_id == "legal.covert-online-activity"
    ]
    assert {p.id for p in follow_ups} == {"legal.covert-authorisation", "legal.covert-inspection"}
    gate = "legal.covert-online-activity"
    answers_by_case = {
        "yes": {gate: Answer(gate, option_id="yes")},
        "no": {gate: Answer(gate, option_id="no")},
        "not applicable": {gate: Answer(gate, not_applicable=True)},
        "unanswered": {},
    }
    for case, answers in answers_by_case.items():
        for practice in follow_ups:
            assert is_visible(practice, answers, instrument) == (case == "yes"), (case, practice.id)


def test_co_production_ground_rules_follow_active_liaison(instrument: Instrument) -> None:
    ground_rules = instrument.practice("protocols.co-production-ground-rules")
    assert ground_rules is not None
    liaison = "staffing.community-liaison"
    for option in ("not", "partial", "largely", "fully"):
        answers = {liaison: Answer(liaison, option_id=option)}
        assert is_visible(ground_rules, answers, instrument) == (option != "not"), option


def _near_identical(a: str, b: str) -> bool:
    """True when difflib rates the texts at least NEAR_IDENTICAL alike."""
    matcher = difflib.SequenceMatcher(None, a, b)
    # The quick ratios are upper bounds of ratio(): cheap rejections keep the test fast.
    return (
        matcher.real_quick_ratio() >= NEAR_IDENTICAL
        and matcher.quick_ratio() >= NEAR_IDENTICAL
        and matcher.ratio() >= NEAR_IDENTICAL
    )


def _field(practice: Practice, name: str) -> str:
    if name == "action":
        return str(practice.recommendation.action)
    return str(getattr(practice, name))


def _cycle(graph: dict[str, tuple[str, ...]]) -> list[str] | None:
    """A dependency cycle as a path of practice ids, or None when the graph is acyclic."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        path.append(node)
        for needed in graph.get(node, ()):
            found = visit(needed)
            if found:
                return found
        path.pop()
        done.add(node)
        return None

    return next((cycle for node in graph if (cycle := visit(node))), None)


def test_cycle_finder_reports_a_cycle_it_is_given() -> None:
    assert _cycle({"a": ("b",), "b": ("c",), "c": ("a",)}) == ["a", "b", "c", "a"]
    assert _cycle({"a": ("b",), "b": ()}) is None
