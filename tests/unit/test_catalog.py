"""The instrument catalog: listing, lookup by id, version or path, and its cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assessment.domain.loading import catalog as catalog_module
from assessment.domain.loading.catalog import InstrumentCatalog, version_key
from assessment.domain.loading.crosswalk import is_crosswalk_file
from assessment.domain.loading.loader import InstrumentError, load_instrument
from assessment.queries.instruments import default_catalog
from assessment.resources import questionnaires_dir
from tests.unit.instrument_yaml import MINIMAL_YAML, edit, write_instrument


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder with mini 1.0.0, 1.10.0 and 1.2.0, other 0.1.0, and an examples sub-folder."""
    for version in ("1.0.0", "1.10.0", "1.2.0"):
        write_instrument(tmp_path, "mini", version)
    write_instrument(tmp_path, "other", "0.1.0")
    (tmp_path / "examples").mkdir()
    write_instrument(tmp_path / "examples", "hidden", "1.0.0")
    (tmp_path / "notes.txt").write_text("not an instrument", encoding="utf-8")
    return tmp_path


def test_all_lists_top_level_yaml_files_sorted_by_id_then_semantic_version(folder: Path) -> None:
    keys = [instrument.key for instrument in InstrumentCatalog(folder).all()]

    assert keys == ["mini@1.0.0", "mini@1.2.0", "mini@1.10.0", "other@0.1.0"]


def test_get_by_id_returns_the_latest_version(folder: Path) -> None:
    assert InstrumentCatalog(folder).get("mini").version == "1.10.0"


def test_get_by_id_and_version(folder: Path) -> None:
    assert InstrumentCatalog(folder).get("mini@1.2.0").key == "mini@1.2.0"


def test_get_by_path(folder: Path) -> None:
    path = folder / "examples" / "hidden-1.0.0.yaml"

    assert InstrumentCatalog(folder).get(str(path)).key == "hidden@1.0.0"


def test_unknown_id_lists_what_exists(folder: Path) -> None:
    with pytest.raises(LookupError) as caught:
        InstrumentCatalog(folder).get("missing")

    assert str(caught.value) == (
        "no instrument 'missing'; available: mini@1.0.0, mini@1.2.0, mini@1.10.0, other@0.1.0"
    )


def test_unknown_version_lists_the_versions(folder: Path) -> None:
    with pytest.raises(LookupError) as caught:
        InstrumentCatalog(folder).get("mini@2.0.0")

    assert str(caught.value) == "no version 2.0.0 of 'mini'; versions: 1.0.0, 1.2.0, 1.10.0"


def test_missing_path(folder: Path) -> None:
    with pytest.raises(LookupError, match=r"no instrument file .*absent\.yaml"):
        InstrumentCatalog(folder).get(str(folder / "absent.yaml"))


def test_empty_or_missing_folder(tmp_path: Path) -> None:
    catalog = InstrumentCatalog(tmp_path / "nowhere")

    assert catalog.all() == []
    with pytest.raises(LookupError, match="there are no instruments in"):
        catalog.get("mini")


def test_invalid_file_in_the_folder_is_reported(folder: Path) -> None:
    broken = folder / "broken-1.0.0.yaml"
    broken.write_text(edit(MINIMAL_YAML, "effort: low", "effort: lo"), encoding="utf-8")

    with pytest.raises(InstrumentError) as caught:
        InstrumentCatalog(folder).all()
    assert [problem.file for problem in caught.value.problems] == [str(broken)]


def test_two_files_with_the_same_id_and_version_are_refused(folder: Path) -> None:
    copy = folder / "mini-copy.yaml"
    copy.write_text((folder / "mini-1.0.0.yaml").read_text(encoding="utf-8"), encoding="utf-8")

    with pytest.raises(InstrumentError) as caught:
        InstrumentCatalog(folder).get("mini")
    assert str(caught.value) == (
        f"{copy}:1: top level: mini@1.0.0 is also defined in mini-1.0.0.yaml"
    )


def test_files_are_parsed_once_until_they_change(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[Path] = []

    def counting_load(path: Path) -> object:
        parsed.append(path)
        return load_instrument(path)

    monkeypatch.setattr(catalog_module, "load_instrument", counting_load)
    catalog = InstrumentCatalog(folder)
    first = catalog.get("mini@1.0.0")
    catalog.get("mini")
    catalog.all()
    assert len(parsed) == 4  # one parse per file, however many lookups

    path = folder / "mini-1.0.0.yaml"
    path.write_text(edit(MINIMAL_YAML, "Mini instrument", "Renamed"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = catalog.get("mini@1.0.0")

    assert len(parsed) == 5
    assert str(first.title) == "Mini instrument"
    assert str(second.title) == "Renamed"


@pytest.mark.parametrize(
    "ordered",
    [
        ["0.9.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta.2"],
        ["1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "1.10.0"],
        ["1.0.0+build.5", "2.0.0", "10.0.0"],
    ],
)
def test_version_key_follows_semantic_versioning(ordered: list[str]) -> None:
    assert sorted(reversed(ordered), key=version_key) == ordered


def test_version_key_refuses_other_text() -> None:
    with pytest.raises(ValueError, match="not a semantic version: 'v1'"):
        version_key("v1")


def test_default_catalog_serves_the_bundled_instruments() -> None:
    catalog = default_catalog()

    assert catalog is default_catalog()
    assert catalog.directory == questionnaires_dir()
    assert [path.name for path in catalog.files()] == sorted(
        path.name for path in questionnaires_dir().glob("*.yaml") if not is_crosswalk_file(path)
    )
