"""A WeasyPrint URL fetcher that reads only `data:` URLs and files inside given folders.

WeasyPrint's default fetcher follows every URL a document names: http(s) to loopback or
internal hosts, `file://` anywhere on disk, and it embeds `<link rel=attachment>`
targets in the PDF. Reports need only their own stylesheet (and perhaps images) from
their template folder and the shared base folder, so everything else is refused. A
refused URL raises an error that WeasyPrint logs and skips; nothing is opened or requested.
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

MAX_DATA_URL_BYTES = 2_000_000


class ForbiddenResource(ValueError):
    """A document asked for a URL outside what reports may read."""


class SafeURLFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint ships no types
    """Serves `data:` URLs and regular files under the roots (links resolved); refuses the rest."""

    def __init__(self, *roots: Path) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.roots = tuple(root.resolve(strict=True) for root in roots)

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        """The resource at `url`, or ForbiddenResource naming why it is refused."""
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return _data_response(url)
        if scheme == "file":
            return self._file_response(url)
        raise ForbiddenResource(f"reports may not fetch {_short(url)}: only data: and local files")

    def _file_response(self, url: str) -> URLFetcherResponse:
        path = self.allowed_path(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})

    def allowed_path(self, url: str) -> Path:
        """The resolved file a `file:` URL names, if it is a regular file under a root."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise ForbiddenResource(f"reports may not fetch {_short(url)}: remote file host")
        try:
            path = Path(url2pathname(unquote(parts.path))).resolve(strict=True)
        except (OSError, RuntimeError) as error:
            raise ForbiddenResource(f"reports may not fetch {_short(url)}: {error}") from None
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            folders = ", ".join(str(root) for root in self.roots)
            raise ForbiddenResource(
                f"reports may not fetch {_short(url)}: outside the report folder {folders}"
            )
        return path


def _data_response(url: str) -> URLFetcherResponse:
    """Decode a `data:` URL ourselves so that no urllib handler is involved."""
    header, separator, payload = url.partition(",")
    if not separator:
        raise ForbiddenResource("malformed data: URL (no comma)")
    if len(payload) > MAX_DATA_URL_BYTES * 4 // 3 + 4:
        raise ForbiddenResource("data: URL too large")
    media = header.removeprefix("data:")
    is_base64 = media.endswith(";base64")
    media = media.removesuffix(";base64") or "text/plain;charset=US-ASCII"
    try:
        body = base64.b64decode(payload, validate=False) if is_base64 else unquote_to_bytes(payload)
    except ValueError as error:
        raise ForbiddenResource(f"malformed data: URL ({error})") from None
    return URLFetcherResponse(url, body, {"Content-Type": media})


def _short(url: str) -> str:
    return url if len(url) <= 120 else f"{url[:117]}..."
