"""A folder of instrument files, looked up by `ID`, `ID@VERSION` or file path."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from assessment.domain.loading.crosswalk import is_crosswalk_file, load_crosswalk
from assessment.domain.loading.loader import ROOT_PATH, InstrumentError, Problem, load_instrument
from assessment.domain.model.crosswalk import Crosswalk
from assessment.domain.model.instrument import Instrument
from assessment.domain.rules.carry import crosswalk_path

INSTRUMENT_SUFFIXES = (".yaml", ".yml")

_SEMVER = re.compile(
    r"^(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)

VersionKey = tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]


def version_key(version: str) -> VersionKey:
    """A sort key giving semantic-version order: 1.2.0-rc.1 < 1.2.0 < 1.10.0."""
    match = _SEMVER.match(version)
    if match is None:
        raise ValueError(f"not a semantic version: {version!r}")
    prerelease = match["pre"]
    # A release sorts after all of its pre-releases; numeric identifiers before words.
    identifiers = tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in (prerelease or "").split(".")
    )
    return (
        int(match["major"]),
        int(match["minor"]),
        int(match["patch"]),
        0 if prerelease else 1,
        identifiers if prerelease else (),
    )


@dataclass(frozen=True)
class _Cached:
    stamp: tuple[int, int]
    instrument: Instrument


@dataclass(frozen=True)
class _CachedCrosswalk:
    stamp: tuple[int, int]
    crosswalk: Crosswalk
    instruments: tuple[Instrument, Instrument]  # the versions it was checked against


class InstrumentCatalog:
    """The `*.yaml` instruments directly inside `directory`, parsed once per file change."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._cache: dict[Path, _Cached] = {}
        self._crosswalk_cache: dict[Path, _CachedCrosswalk] = {}
        self._lock = threading.Lock()

    def files(self) -> list[Path]:
        """The instrument files of the folder, sorted by name (sub-folders are ignored)."""
        if not self.directory.is_dir():
            return []
        return sorted(
            path
            for path in self.directory.iterdir()
            if path.suffix in INSTRUMENT_SUFFIXES and path.is_file() and not is_crosswalk_file(path)
        )

    def all(self) -> list[Instrument]:
        """Every instrument of the folder, sorted by id then version."""
        loaded: list[tuple[Path, Instrument]] = []
        problems: list[Problem] = []
        for path in self.files():
            try:
                loaded.append((path, self.load(path)))
            except InstrumentError as error:
                problems.extend(error.problems)
        problems.extend(_duplicates(loaded))
        if problems:
            raise InstrumentError(problems)
        instruments = [instrument for _, instrument in loaded]
        return sorted(instruments, key=lambda i: (i.id, version_key(i.version)))

    def get(self, ref: str) -> Instrument:
        """The instrument named by `ID` (latest version), `ID@VERSION` or a YAML file path."""
        if ref.endswith(INSTRUMENT_SUFFIXES) or "/" in ref or "\\" in ref:
            path = Path(ref)
            if not path.is_file():
                raise LookupError(f"no instrument file {ref}")
            return self.load(path)
        instrument_id, _, version = ref.partition("@")
        versions = [i for i in self.all() if i.id == instrument_id]
        if not versions:
            raise LookupError(f"no instrument '{instrument_id}'; {self._available()}")
        if not version:
            return versions[-1]
        for instrument in versions:
            if instrument.version == version:
                return instrument
        known = ", ".join(i.version for i in versions)
        raise LookupError(f"no version {version} of '{instrument_id}'; versions: {known}")

    def load(self, path: Path) -> Instrument:
        """The instrument in `path`, re-read only when the file has changed."""
        key = path.resolve()
        try:
            status = key.stat()
        except OSError:
            return load_instrument(path)  # reports the missing or unreadable file
        stamp = (status.st_mtime_ns, status.st_size)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and cached.stamp == stamp:
            return cached.instrument
        instrument = load_instrument(path)
        with self._lock:
            self._cache[key] = _Cached(stamp, instrument)
        return instrument

    def crosswalk_files(self) -> list[Path]:
        """The crosswalk files (`*.crosswalk.yaml`) of the folder, sorted by name."""
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.iterdir() if is_crosswalk_file(p) and p.is_file())

    def crosswalks(self) -> list[Crosswalk]:
        """Every crosswalk of the folder, checked against the folder's instruments."""
        instruments = {instrument.key: instrument for instrument in self.all()}
        crosswalks: list[Crosswalk] = []
        problems: list[Problem] = []
        for path in self.crosswalk_files():
            try:
                crosswalks.append(self.load_crosswalk(path, instruments))
            except InstrumentError as error:
                problems.extend(error.problems)
        if problems:
            raise InstrumentError(problems)
        return crosswalks

    def load_crosswalk(self, path: Path, instruments: dict[str, Instrument]) -> Crosswalk:
        """The crosswalk in `path`, re-read when it or the instruments it maps have changed."""
        key = path.resolve()
        try:
            status = key.stat()
        except OSError:
            return load_crosswalk(path, instruments)  # reports the missing or unreadable file
        stamp = (status.st_mtime_ns, status.st_size)
        with self._lock:
            cached = self._crosswalk_cache.get(key)
        if (
            cached is not None
            and cached.stamp == stamp
            and instruments.get(cached.crosswalk.source) is cached.instruments[0]
            and instruments.get(cached.crosswalk.target) is cached.instruments[1]
        ):
            return cached.crosswalk
        crosswalk = load_crosswalk(path, instruments)
        used = (instruments[crosswalk.source], instruments[crosswalk.target])
        with self._lock:
            self._crosswalk_cache[key] = _CachedCrosswalk(stamp, crosswalk, used)
        return crosswalk

    def crosswalk_chain(self, source: str, target: str) -> tuple[Crosswalk, ...] | None:
        """The crosswalks that lead from `source` to `target` (id@version): () if the same."""
        if source == target:
            return ()
        return crosswalk_path(self.crosswalks(), source, target)

    def _available(self) -> str:
        names = [instrument.key for instrument in self.all()]
        if not names:
            return f"there are no instruments in {self.directory}"
        return f"available: {', '.join(names)}"


def _duplicates(loaded: list[tuple[Path, Instrument]]) -> list[Problem]:
    """One problem per file that repeats the id@version of an earlier file."""
    first_files: dict[str, Path] = {}
    problems: list[Problem] = []
    for path, instrument in loaded:
        first = first_files.setdefault(instrument.key, path)
        if first != path:
            message = f"{instrument.key} is also defined in {first.name}"
            problems.append(Problem(str(path), 1, ROOT_PATH, message))
    return problems
