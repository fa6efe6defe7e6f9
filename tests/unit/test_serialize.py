"""The JSON shape of scores and roadmaps."""

from __future__ import annotations

import json

from assessment.domain.formats.serialize import score_to_dict
from assessment.domain.rules.roadmap import build_roadmap
from assessment.domain.rules.scoring import score_assessment
from tests.unit.instruments import make_answers, make_instrument, practice

INSTRUMENT = make_instrument(
    practice("policy.a", 2),
    practice("policy.b", 2, weight=2, horizon="medium", themes=["privacy"]),
    practice("staffing.a", 3),
    themes=["privacy", "tone"],
)
ANSWERS = make_answers({"policy.a": "fully", "policy.b": "not"})


def test_shape_with_scores_rounded_to_one_decimal() -> None:
    result = score_assessment(INSTRUMENT, ANSWERS)

    data = score_to_dict(result, build_roadmap(INSTRUMENT, ANSWERS, result))

    assert data == {
        "questionnaire": {"id": "test-instrument", "version": "1.0.0"},
        "baseline": {"cap": None, "applicable": 0, "met": 0, "open": [], "dimensions": {}},
        "overall": {"score": 33.3, "level": 1, "coverage": 0.667},
        "dimensions": {
            "policy": {
                "score": 33.3,
                "level": 1,
                "coverage": 1.0,
                "blocking": ["policy.b"],
                "capped_by": [],
                "uncapped_level": None,
            },
            "staffing": {
                "score": None,
                "level": 2,
                "coverage": 0.0,
                "blocking": ["staffing.a"],
                "capped_by": [],
                "uncapped_level": None,
            },
        },
        "themes": {
            "privacy": {"score": 0.0, "coverage": 1.0},
            "tone": {"score": None, "coverage": 1.0},
        },
        "targets": {"policy": 2, "staffing": 3},
        "roadmap": [
            {
                "phase": "short",
                "title": "0-6 months",
                "start_month": 0,
                "end_month": 6,
                "actions": [
                    {
                        "practice": "staffing.a",
                        "dimension": "staffing",
                        "level": 3,
                        "action": "Do staffing.a",
                        "effort": "medium",
                        "impact": "medium",
                        "depends_on": [],
                        "baseline": False,
                    }
                ],
                "projected": {
                    "policy": {"score": 33.3, "level": 1, "coverage": 1.0},
                    "staffing": {"score": 100.0, "level": 5, "coverage": 1.0},
                },
                "projected_overall": {"score": 66.7, "level": 1, "coverage": 1.0},
            },
            {
                "phase": "medium",
                "title": "6-18 months",
                "start_month": 6,
                "end_month": 18,
                "actions": [
                    {
                        "practice": "policy.b",
                        "dimension": "policy",
                        "level": 2,
                        "action": "Do policy.b",
                        "effort": "medium",
                        "impact": "medium",
                        "depends_on": [],
                        "baseline": False,
                    }
                ],
                "projected": {
                    "policy": {"score": 100.0, "level": 5, "coverage": 1.0},
                    "staffing": {"score": 100.0, "level": 5, "coverage": 1.0},
                },
                "projected_overall": {"score": 100.0, "level": 5, "coverage": 1.0},
            },
        ],
        "unreached_targets": {},
    }
    assert json.loads(json.dumps(data)) == data


def test_instrument_adds_titles_and_level_names() -> None:
    result = score_assessment(INSTRUMENT, ANSWERS)

    data = score_to_dict(result, None, INSTRUMENT)

    assert data["questionnaire"]["title"] == "Test instrument"
    assert data["dimensions"]["policy"]["title"] == "Policy"
    assert data["dimensions"]["policy"]["level_name"] == "Level 1"
    assert (data["targets"], data["roadmap"]) == ({}, [])
