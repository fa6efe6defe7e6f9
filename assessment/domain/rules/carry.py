"""Carrying answers from one instrument version to another through crosswalks.

An old answer travels along each link of a crosswalk: its option becomes the linked new
option, not applicable stays not applicable where the new practice allows it (otherwise
it is not carried), and the evidence comment comes along. When several old practices map
to one new practice the crosswalk's combine rule picks the option with the highest or
lowest credit in the new answer set (ties: the first link in the file); not applicable
is carried only when no linked answer names an option. Unanswered old practices, and
options a link does not map, carry nothing.

A chain of crosswalks (1.0.0 -> 1.1.0 -> 2.0.0) carries step by step. The *equivalent
share* is the share of the new instrument's practices that some old practice reaches
through the whole chain, whether or not it was answered.

Carried answers are never confirmed: an answer counts as confirmed only once the lead
has saved or confirmed it (`confirmed_practices`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass

from assessment.domain.model.answers import MAX_COMMENT_LENGTH, Answer, Answers
from assessment.domain.model.crosswalk import CombineRule, Crosswalk, PracticeLink
from assessment.domain.model.instrument import Instrument, Practice


@dataclass(frozen=True)
class CarriedAnswers:
    """Answers carried to the instrument `target`, all of them carried over."""

    source: str  # id@version the answers were given to
    target: str  # id@version they were carried to
    answers: Mapping[str, Answer]  # by new practice id
    equivalent_share: float  # 0..1: share of the new practices with an equivalent


def crosswalk_path(
    crosswalks: Sequence[Crosswalk], source: str, target: str
) -> tuple[Crosswalk, ...] | None:
    """The shortest chain of crosswalks from `source` to `target` (id@version), None if none."""
    if source == target:
        return ()
    chains: dict[str, tuple[Crosswalk, ...]] = {source: ()}
    queue = deque([source])
    while queue:
        here = queue.popleft()
        for crosswalk in crosswalks:
            if crosswalk.source != here or crosswalk.target in chains:
                continue
            chain = (*chains[here], crosswalk)
            if crosswalk.target == target:
                return chain
            chains[crosswalk.target] = chain
            queue.append(crosswalk.target)
    return None


def carry_answers(
    answers: Answers,
    source: Instrument,
    chain: Sequence[Crosswalk],
    instruments: Mapping[str, Instrument],
) -> CarriedAnswers:
    """Carry `answers` to `source` through `chain`; `instruments` maps id@version to instrument."""
    current: dict[str, Answer] = dict(answers)
    reached: set[str] = {p.id for p in source.practices()}
    key = source.key
    for crosswalk in chain:
        if crosswalk.source != key:
            raise ValueError(f"crosswalk {crosswalk.key} does not start at {key}")
        new = instruments[crosswalk.target]
        current = _carry_step(current, crosswalk, new)
        reached = {link.target for link in crosswalk.links if link.source in reached}
        key = new.key
    final = instruments[key] if chain else source
    total = sum(1 for _ in final.practices())
    share = len(reached) / total if total else 1.0
    return CarriedAnswers(source.key, key, current, share)


def _carry_step(answers: Answers, crosswalk: Crosswalk, new: Instrument) -> dict[str, Answer]:
    by_target = crosswalk.links_by_target()
    carried: dict[str, Answer] = {}
    for practice in new.practices():
        links = by_target.get(practice.id)
        if not links:
            continue
        answer = _combine(practice, links, answers, crosswalk.combine.get(practice.id))
        if answer is not None:
            carried[practice.id] = answer
    return carried


def _combine(
    practice: Practice,
    links: Sequence[PracticeLink],
    answers: Answers,
    rule: CombineRule | None,
) -> Answer | None:
    options: list[str] = []
    not_applicable = False
    comments: list[str] = []
    for link in links:
        old = answers.get(link.source)
        if old is None or not old.is_answered:
            continue
        if old.not_applicable:
            not_applicable = True
        elif old.option_id is not None and old.option_id in link.options:
            options.append(link.options[old.option_id])
        else:
            continue
        if old.comment and old.comment not in comments:
            comments.append(old.comment)
    comment = "\n".join(comments)[:MAX_COMMENT_LENGTH]
    if options:
        return Answer(practice.id, _pick(practice, options, rule), comment=comment)
    if not_applicable and practice.allow_not_applicable:
        return Answer(practice.id, not_applicable=True, comment=comment)
    return None


def _pick(practice: Practice, options: list[str], rule: CombineRule | None) -> str:
    if len(options) == 1 or rule is None:
        return options[0]
    credits = {o.id: o.credit for o in practice.answer_set.options}
    if rule is CombineRule.HIGHEST:
        return max(options, key=lambda option: credits[option])
    return min(options, key=lambda option: credits[option])


def confirmed_practices(answers: Answers, carried: Set[str]) -> frozenset[str]:
    """The answered practices the lead has confirmed: every answered one not carried over."""
    return frozenset(pid for pid, a in answers.items() if a.is_answered and pid not in carried)


def unconfirmed_practices(answers: Answers, carried: Set[str]) -> frozenset[str]:
    """Carried-over answers the lead has not yet saved or confirmed."""
    return frozenset(pid for pid, a in answers.items() if a.is_answered and pid in carried)
