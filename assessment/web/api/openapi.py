"""The OpenAPI 3.1 document of /api/v1, written as data; a test checks real responses against it."""

from __future__ import annotations

from functools import cache
from typing import Any

from assessment.domain.rules.schedule import RoundState

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str) -> Schema:
    return {"type": [kind, "null"]}


def _object(properties: Schema, *, strict: bool = True) -> Schema:
    schema: Schema = {"type": "object", "required": list(properties), "properties": properties}
    if strict:
        schema["additionalProperties"] = False
    return schema


def _array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


ROUND_REF = _object(
    {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "instrument_id": {"type": "string"},
        "instrument_version": {"type": "string"},
    }
)
CELL_FIGURES = {
    "scope": {"enum": ["overall", "dimension", "theme"]},
    "key": {"type": "string"},
    "n": {**_nullable("integer"), "description": "null when fewer than K agencies"},
    "withheld": {"type": "boolean"},
    "reason": {**_nullable("string"), "description": 'e.g. "not enough peers (n < 5)"'},
    "q1": {**_nullable("number"), "description": "whole points; null below 2K agencies"},
    "median": {**_nullable("number"), "description": "whole points; null when withheld"},
    "q3": {**_nullable("number"), "description": "whole points; null below 2K agencies"},
    "levels": {
        **_array(_ref("LevelCount")),
        "description": "agencies per level, only from 2K agencies (counts below K null)",
    },
}
DISCLOSURE = _object(
    {
        "k": {"type": "integer", "minimum": 3},
        "median_from": {"type": "integer", "description": "smallest group with a median (K)"},
        "quartiles_from": {"type": "integer", "description": "smallest group with quartiles"},
        "precision": {"type": "number", "description": "figures are rounded to this (1 point)"},
    }
)
STATISTICS = {
    "group": _ref("Group"),
    "k": {"type": "integer", "minimum": 3},
    "disclosure": DISCLOSURE,
    "n_agencies": {
        **_nullable("integer"),
        "description": "null when fewer than K, or while the round is open",
    },
    "as_of_submissions": {
        **_nullable("integer"),
        "description": "how many of the round's submissions the figures cover",
    },
    "figures": _array(_ref("CellStatistics")),
}
SCHEMAS: Schema = {
    "Error": _object(
        {
            "error": _object(
                {"status": {"type": "integer"}, "message": {"type": "string"}}, strict=False
            )
        }
    ),
    "Agency": _object(
        {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "country": {"type": "string"},
            "agency_type": {"type": "string"},
            "size_band": {"type": "string"},
            "synthetic": {"type": "boolean"},
            "latest_round": _nullable("string"),
            "overall_score": _nullable("number"),
            "overall_level": _nullable("integer"),
            "change": {
                **_nullable("number"),
                "description": "overall index change since the previous comparable round",
            },
            "change_comparable": {"type": "boolean"},
            "change_carried_share": {
                **_nullable("number"),
                "description": "set when the change is measured against the previous round's "
                "answers carried over through a crosswalk: the share (0-1) of the latest "
                "questionnaire that had an equivalent",
            },
        }
    ),
    "AgencyList": _object({"agencies": _array(_ref("Agency"))}),
    "RoundRef": ROUND_REF,
    "Round": _object(
        {
            **ROUND_REF["properties"],
            "is_open": {"type": "boolean"},
            "state": {
                "type": "string",
                "enum": [state.value for state in RoundState],
                "description": "scheduled before starts_on, open through ends_on, then "
                "closed, unless an administrator opened or closed it earlier",
            },
            "starts_on": {**_nullable("string"), "format": "date"},
            "ends_on": {**_nullable("string"), "format": "date"},
            "deadline": {
                **_nullable("string"),
                "format": "date",
                "description": "the last day answers are taken, while open and dated",
            },
        }
    ),
    "RoundList": _object({"rounds": _array(_ref("Round"))}),
    "Figure": _object(
        {
            "key": {"type": "string"},
            "score": _nullable("number"),
            "level": _nullable("integer"),
            "coverage": {"type": "number"},
        }
    ),
    "Results": _object(
        {
            "agency_id": {"type": "integer"},
            "round": _ref("RoundRef"),
            "stale": {
                "type": "boolean",
                "description": "Scored under an earlier scoring of the instrument",
            },
            "scored_with": _nullable("string"),
            "profile": {
                "type": "object",
                "description": (
                    "The assessment's profile answers by question id (a string, a whole "
                    "number or a list of option ids); conditions on them decide which "
                    "practices applied. Unanswered questions are left out."
                ),
                "additionalProperties": {
                    "oneOf": [
                        {"type": "string"},
                        {"type": "integer"},
                        {"type": "array", "items": {"type": "string"}},
                    ]
                },
            },
            "overall": {"oneOf": [_ref("Figure"), {"type": "null"}]},
            "dimensions": _array(_ref("Figure")),
            "themes": _array(_ref("Figure")),
            "headline": _ref("Headline"),
            "baseline": _ref("Baseline"),
        }
    ),
    "Ranked": {
        "oneOf": [
            _object(
                {
                    "dimensions": _array({"type": "string"}),
                    "score": {"type": "number"},
                    "tied": {"type": "boolean"},
                }
            ),
            {"type": "null"},
        ]
    },
    "Headline": _object(
        {
            "index": _nullable("number"),
            "coverage": {"type": "number"},
            "overall_level_rule": {"type": "string", "enum": ["lowest", "weighted_mean", "none"]},
            "level": {**_nullable("integer"), "description": "null under the rule 'none'"},
            "floor": _object(
                {
                    "level": {"type": "integer"},
                    "set_by": _array({"type": "string"}),
                    "blocked_by": _array({"type": "string"}),
                    "capped_by": _array({"type": "string"}),
                }
            ),
            "strongest": _ref("Ranked"),
            "weakest": _ref("Ranked"),
            "all_equal": {"type": "boolean"},
            "baseline_open": _array({"type": "string"}),
        }
    ),
    "Baseline": _object(
        {
            "cap": {**_nullable("integer"), "description": "the level an open obligation caps"},
            "applicable": {"type": "integer"},
            "met": {"type": "integer"},
            "open": _array({"type": "string"}),
            "dimensions": {
                "type": "object",
                "description": "per dimension id: met, not_met, not_answered, not_applicable "
                "and each practice's status (legal and safety obligations, apart from scores)",
            },
        }
    ),
    "Group": _object(
        {
            "country": _nullable("string"),
            "agency_type": _nullable("string"),
            "size_band": _nullable("string"),
            "description": {"type": "string"},
        }
    ),
    "LevelCount": _object(
        {
            "level": {"type": "integer"},
            "count": {**_nullable("integer"), "description": "null when below K"},
            "share": _nullable("number"),
        }
    ),
    "CellStatistics": _object(CELL_FIGURES),
    "Benchmark": _object({"round": _ref("RoundRef"), **STATISTICS}),
    "Statistics": _object(STATISTICS),
    "BenchmarkHistory": _object(
        {
            "group": _ref("Group"),
            "k": {"type": "integer", "minimum": 3},
            "rounds": _array(
                _object(
                    {
                        "round": _ref("RoundRef"),
                        "comparable": {"type": "boolean"},
                        "refused": _nullable("string"),
                        "carried_share": {
                            **_nullable("number"),
                            "description": "set when the round's figures were computed on its "
                            "answers carried over to the latest questionnaire: the share (0-1) "
                            "of it that had an equivalent",
                        },
                        "statistics": {"oneOf": [_ref("Statistics"), {"type": "null"}]},
                    }
                )
            ),
        }
    ),
    "PositionFigure": _object(
        {
            **CELL_FIGURES,
            "score": _nullable("number"),
            "level": _nullable("integer"),
            "percentile_rank": {
                **_nullable("number"),
                "description": (
                    "whole percent of the group below the agency (ties half); null if withheld"
                ),
            },
        }
    ),
    "Position": _object(
        {
            **STATISTICS,
            "figures": _array(_ref("PositionFigure")),
        }
    ),
    "AgencyBenchmark": _object(
        {
            "agency_id": {"type": "integer"},
            "round": _ref("RoundRef"),
            "comparisons": _array(
                _object(
                    {
                        "label": {"type": "string"},
                        "refused": _nullable("string"),
                        "position": {"oneOf": [_ref("Position"), {"type": "null"}]},
                    }
                )
            ),
        }
    ),
    "Step": _object(
        {
            "key": {"type": "string"},
            "score": _nullable("number"),
            "level": _nullable("integer"),
            "score_change": _nullable("number"),
            "level_change": _nullable("integer"),
        }
    ),
    "Trajectory": _object(
        {
            "agency_id": {"type": "integer"},
            "rounds": _array(
                _object(
                    {
                        "round": _ref("RoundRef"),
                        "comparable": {"type": "boolean"},
                        "compared_with": _nullable("string"),
                        "overall": _ref("Step"),
                        "dimensions": _array(_ref("Step")),
                        "themes": _array(_ref("Step")),
                        "newly_met": _array({"type": "string"}),
                        "newly_lost": _array({"type": "string"}),
                        "carried_share": {
                            **_nullable("number"),
                            "description": "set when this round's figures were computed on its "
                            "answers carried over to the latest questionnaire: the share (0-1) "
                            "of it that had an equivalent",
                        },
                        "compared_carried_share": {
                            **_nullable("number"),
                            "description": "set when the changes are measured against figures "
                            "computed on carried-over answers",
                        },
                    }
                )
            ),
        }
    ),
    "OpenApi": {
        "type": "object",
        "required": ["openapi", "info", "paths", "components"],
        "properties": {"openapi": {"type": "string"}},
    },
}


def _error(description: str) -> Schema:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error")}},
    }


ERRORS = {
    "400": _error("Malformed parameters"),
    "401": _error("No or unknown credentials"),
    "403": _error("Not allowed, or a peer group refused for anonymity"),
    "404": _error("Not found (including agencies the caller may not see)"),
}
AGENCY_ID = {
    "name": "agency_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}
ROUND = {
    "name": "round",
    "in": "query",
    "required": False,
    "description": "Round name (e.g. 2025) or id; the latest relevant round by default.",
    "schema": {"type": "string"},
}
GROUP_FILTERS = [
    {
        "name": "country",
        "in": "query",
        "required": False,
        "description": "Two-letter country code.",
        "schema": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
    },
    {"name": "type", "in": "query", "required": False, "schema": {"type": "string"}},
    {"name": "size", "in": "query", "required": False, "schema": {"type": "string"}},
]


def _get(
    summary: str, schema: str, *, parameters: list[Schema] | None = None, errors: str = "401"
) -> Schema:
    return {
        "get": {
            "summary": summary,
            "parameters": parameters or [],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": _ref(schema)}},
                },
                **{status: ERRORS[status] for status in errors.split()},
            },
        }
    }


PATHS: Schema = {
    "/api/v1/openapi.json": _get("This document", "OpenApi"),
    "/api/v1/agencies": _get("Agencies the caller may see, with latest figures", "AgencyList"),
    "/api/v1/agencies/{agency_id}": _get(
        "One agency", "Agency", parameters=[AGENCY_ID], errors="401 404"
    ),
    "/api/v1/agencies/{agency_id}/results": _get(
        "Stored results of the agency's submitted assessment in a round",
        "Results",
        parameters=[AGENCY_ID, ROUND],
        errors="401 404",
    ),
    "/api/v1/agencies/{agency_id}/benchmark": _get(
        "The agency against anonymous peer groups",
        "AgencyBenchmark",
        parameters=[AGENCY_ID, ROUND],
        errors="401 404",
    ),
    "/api/v1/agencies/{agency_id}/trajectory": _get(
        "The agency across rounds", "Trajectory", parameters=[AGENCY_ID], errors="401 404"
    ),
    "/api/v1/rounds": _get("Every round, oldest first", "RoundList"),
    "/api/v1/benchmarks": _get(
        "Anonymous peer statistics of a round and group",
        "Benchmark",
        parameters=[ROUND, *GROUP_FILTERS],
        errors="400 401 403 404",
    ),
    "/api/v1/benchmarks/history": _get(
        "A group's statistics in every round with results, oldest first",
        "BenchmarkHistory",
        parameters=GROUP_FILTERS,
        errors="400 401",
    ),
}


@cache
def openapi_document() -> Schema:
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Social-media maturity assessment API",
            "version": "1.0.0",
            "description": (
                "Read-only. Authenticate with `Authorization: Bearer <token>` (issue one "
                "with `assessment token create --email E --name N`) or a signed-in browser "
                "session. A lead sees only their own agency, and peer figures only as "
                "anonymous statistics under the disclosure rule: closed rounds only; a figure "
                "backed by fewer than K agencies is withheld, below 2K agencies only its "
                "median is given; never a minimum, maximum or mean; whole points; a group "
                "that, set against any combination of the round's groups, would single out "
                "fewer than K agencies is refused (403)."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }
