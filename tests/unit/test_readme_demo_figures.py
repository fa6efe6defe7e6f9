"""The README's figures about the demo population are the population's own."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from assessment.domain.demo.synthetic import synthetic_population
from assessment.domain.rules.benchmark import DEFAULT_ANONYMITY_K
from assessment.queries.instruments import default_catalog
from assessment.services.demo_data import DEFAULT_AGENCIES, DEFAULT_QUESTIONNAIRE

README = Path(__file__).resolve().parents[2] / "README.md"


def demo_paragraph() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## The demo", 1)[1].split("\n## ", 1)[0]
    return " ".join(section.split())


def test_readme_demo_figures_match_the_population() -> None:
    versions = [i for i in default_catalog().all() if i.id == DEFAULT_QUESTIONNAIRE]
    first, newest = versions[0], versions[-1]
    population = synthetic_population(first, agencies=DEFAULT_AGENCIES, latest=newest)
    per_country = Counter(a.country for a in population.agencies)
    large = [n for n in per_country.values() if n >= DEFAULT_ANONYMITY_K]
    small = [n for n in per_country.values() if n not in large]
    rounds = [r.name for r in population.rounds]

    expected = (
        f'{len(population.agencies)} fictitious agencies named "Synthetic ...",'
        f" in {len(per_country)} European countries ({len(large)} large ones with"
        f" {max(large)} agencies each, enough for a country peer group to reach the"
        f" anonymity threshold of {DEFAULT_ANONYMITY_K}, and {len(small)} with {max(small)})"
    )
    assert len(set(large)) == 1 and len(set(small)) == 1
    assert expected in demo_paragraph()
    earlier = " and ".join(rounds[:-1])
    assert (
        f"rounds {earlier} on questionnaire version {first.version}"
        f" ({len(list(first.practices()))} practices) and {rounds[-1]} on the newest bundled"
        f" version, {newest.version} ({len(list(newest.practices()))} practices)"
    ) in demo_paragraph()
    assert re.search(r"\*\*synthetic,\s+illustrative\*\*", demo_paragraph())
