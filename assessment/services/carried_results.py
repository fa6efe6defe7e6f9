"""Store the carried figures the agency list compares with (`carried_result`).

An agency whose latest round is on another questionnaire version than the round before
is compared with that round's answers carried through the crosswalks and scored; doing
so for thousands of agencies takes seconds. Submitting, rescoring and loading the demo
store those figures, so that a process reads them instead of computing them after each
start. A figure stored from other inputs (its basis differs) is written again.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, tuple_
from sqlalchemy.orm import Session

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.queries.agencies import unstored_carried_results
from assessment.store.models import CarriedResult

_CHUNK = 500  # (assessment, target) pairs per DELETE


def store_carried_results(
    session: Session,
    *,
    agency_ids: Sequence[int] | None = None,
    catalog: InstrumentCatalog | None = None,
) -> int:
    """Write the carried figures of these agencies (or all) that are missing or stale,
    in the caller's transaction; returns how many were written."""
    entries = unstored_carried_results(session, agency_ids=agency_ids, catalog=catalog)
    for start in range(0, len(entries), _CHUNK):
        chunk = entries[start : start + _CHUNK]
        session.execute(
            delete(CarriedResult).where(
                tuple_(CarriedResult.assessment_id, CarriedResult.target).in_(
                    [(entry.assessment_id, entry.target) for entry in chunk]
                )
            )
        )
    if entries:
        session.execute(
            insert(CarriedResult),
            [
                {
                    "assessment_id": entry.assessment_id,
                    "target": entry.target,
                    "basis": entry.basis,
                    "score": entry.figure.score,
                    "equivalent_share": entry.figure.equivalent_share,
                }
                for entry in entries
            ],
        )
    return len(entries)
