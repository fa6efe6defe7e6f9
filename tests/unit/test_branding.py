"""Report branding settings: defaults, and a logo refused with the setting and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessment.config import DEFAULT_ORGANISATION, MAX_LOGO_BYTES, ConfigError, branding


def test_defaults_name_the_product_and_no_logo() -> None:
    assert branding({}) == branding({"REPORT_ORGANISATION": "  "})
    assert branding({}).organisation == DEFAULT_ORGANISATION
    assert branding({"REPORT_ORGANISATION": "Unit X"}).author == "Unit X"
    assert branding({}).logo is None


def test_a_png_logo_becomes_a_data_url(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)

    assert (branding({"REPORT_LOGO": str(logo)}).logo or "").startswith("data:image/png;base64,")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "REPORT_LOGO: cannot read"),
        (b"GIF89a....", "is not a PNG, JPEG or SVG image"),
        (b"\xff\xd8\xff" + b"\0" * MAX_LOGO_BYTES, "is larger than 512 KB"),
    ],
)
def test_a_bad_logo_is_refused_naming_the_setting(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    logo = tmp_path / "logo.img"
    if content is not None:
        logo.write_bytes(content)

    with pytest.raises(ConfigError, match=message):
        branding({"REPORT_LOGO": str(logo)})
