"""The report URL fetcher: data: URLs and files inside the report folder, nothing else."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from assessment.reporting.fetcher import ForbiddenResource, SafeURLFetcher


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A report folder with a stylesheet, beside a secret file outside it."""
    report = tmp_path / "reports" / "agency"
    report.mkdir(parents=True)
    (report / "report.css").write_text("p { color: red }", encoding="utf-8")
    (tmp_path / "reports" / "secret.txt").write_text("secret", encoding="utf-8")
    return report


def test_serves_a_file_inside_the_folder(folder: Path) -> None:
    response = SafeURLFetcher(folder).fetch((folder / "report.css").as_uri())

    assert response.read() == b"p { color: red }"
    assert response.content_type == "text/css"


def test_serves_data_urls_without_any_handler(folder: Path) -> None:
    fetcher = SafeURLFetcher(folder)
    encoded = base64.b64encode(b"<svg/>").decode()

    assert fetcher.fetch(f"data:image/svg+xml;base64,{encoded}").read() == b"<svg/>"
    assert fetcher.fetch("data:text/plain,a%20b").read() == b"a b"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/hostname",
        "http://127.0.0.1:9/anything",
        "https://example.org/font.woff2",
        "ftp://example.org/file",
        "file://evil.example/share/file",
    ],
)
def test_refuses_everything_else(folder: Path, url: str) -> None:
    with pytest.raises(ForbiddenResource, match="reports may not fetch"):
        SafeURLFetcher(folder).fetch(url)


def test_refuses_a_path_escaping_the_folder_with_dots(folder: Path) -> None:
    escaping = f"{folder.as_uri()}/../secret.txt"

    with pytest.raises(ForbiddenResource, match="outside the report folder"):
        SafeURLFetcher(folder).fetch(escaping)


def test_refuses_a_symlink_pointing_outside(folder: Path) -> None:
    (folder / "linked.txt").symlink_to(folder.parent / "secret.txt")

    with pytest.raises(ForbiddenResource, match="outside the report folder"):
        SafeURLFetcher(folder).fetch((folder / "linked.txt").as_uri())


def test_refuses_missing_files_and_folders(folder: Path) -> None:
    fetcher = SafeURLFetcher(folder)

    with pytest.raises(ForbiddenResource):
        fetcher.fetch((folder / "missing.css").as_uri())
    with pytest.raises(ForbiddenResource, match="outside the report folder"):
        fetcher.fetch(folder.as_uri())
