"""Track colours: the colour maths against published values, and the build's warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen import colors
from sitegen.colors import closest_pair, contrast, delta_e, parse_hex, simulate

from .conftest import REPO, SiteFactory, sitegen


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [  # from Sharma, Wu and Dalal's CIEDE2000 test data
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
        ((50.0, 2.5, 0.0), (50.0, 0.0, -2.5), 4.3065),
        ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
    ],
)
def test_delta_e_matches_the_published_ciede2000_values(
    monkeypatch: pytest.MonkeyPatch, lab1: tuple, lab2: tuple, expected: float
) -> None:
    given = iter([lab1, lab2])
    monkeypatch.setattr(colors, "lab", lambda rgb: next(given))
    assert delta_e((0, 0, 0), (0, 0, 0)) == pytest.approx(expected, abs=1e-4)


def test_lab_and_contrast_of_known_colours() -> None:
    assert colors.lab(parse_hex("#ffffff")) == pytest.approx((100, 0, 0), abs=0.01)
    assert contrast(parse_hex("#000000"), parse_hex("#ffffff")) == pytest.approx(21)
    assert contrast(parse_hex("#767676"), parse_hex("#ffffff")) == pytest.approx(4.54, abs=0.01)


def test_simulated_deficiencies_keep_greys_and_merge_red_with_green() -> None:
    grey = parse_hex("#808080")
    for deficiency in colors.DEFICIENCIES:
        assert simulate(grey, deficiency) == pytest.approx(grey, abs=0.01)
    red, green = parse_hex("#d62728"), parse_hex("#2ca02c")
    assert delta_e(red, green) > 60
    assert delta_e(simulate(red, "deuteranopia"), simulate(green, "deuteranopia")) < 25


def test_the_default_tracks_stay_apart_for_every_vision() -> None:
    palette = {"PyTorch": "#ac3505", "TensorFlow": "#269683", "JAX": "#6840be"}
    for vision in ("", *colors.DEFICIENCIES):
        pair = closest_pair(palette, vision)
        assert pair is not None and pair[2] >= colors.MIN_DELTA_E, (vision, pair)


def test_the_build_warns_of_close_and_faint_track_colours(
    site_factory: SiteFactory, tmp_path: Path
) -> None:
    site = site_factory(
        {
            "content/frameworks/beta.yaml": """\
                id: beta
                name: Beta
                order: 2
                color: "#92400e"
                """,
            "content/frameworks/gamma.yaml": """\
                id: gamma
                name: Gamma
                order: 3
                color: "#fde68a"
                """,
        }
    )
    result = sitegen(
        "build", "--site", site, "--out", tmp_path / "out", "--site-url", "https://e.org"
    )
    assert result.returncode == 0
    assert result.stderr == (
        "content/frameworks/beta.yaml: warning: track colour '#92400e' is close to Alpha's "
        "'#9a3412' (CIEDE2000 5.3; tracks need 25 to tell apart at a glance)\n"
        "  hint: choose a colour of another hue, or much lighter or darker\n"
        "content/frameworks/gamma.yaml: warning: track colour '#fde68a' has a contrast of "
        "1.2:1 with the page (#fbfaf7); markers and lines need 3:1\n"
        "  hint: choose a darker colour\n"
    )


def test_the_default_site_builds_without_a_colour_warning(tmp_path: Path) -> None:
    result = sitegen(
        "build", "--site", REPO, "--out", tmp_path / "out", "--site-url", "https://e.org"
    )
    assert result.returncode == 0
    assert result.stderr == ""
