"""Time social cards: `python benchmarks/cards.py [--count 200] [--runs 5]`.

Draws the cards of corpus.py's first --count milestones (their titles, dates as written and
tracks) with `sitegen.cards.social_card`, once to warm the font and frame caches, then
--runs times; prints CPU milliseconds a card (the best run, so that other work on a shared
machine weighs least) and the cards' mean size.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import yaml

from sitegen.cards import FONT, MARKERS, social_card

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from corpus import FRAMEWORKS, SEED, SOURCES_PER_MILESTONE, milestone  # noqa: E402

FONT_PATH = HERE.parent / "templates" / FONT


def shown(count: int) -> list[tuple[str, str, tuple[tuple[str, str, str], ...]]]:
    """Title, date and tracks of each of the corpus's first `count` milestones."""
    rng = random.Random(SEED)
    tracks = {
        ident: (name, color, MARKERS[(order - 1) % len(MARKERS)])
        for ident, (name, order, color) in FRAMEWORKS.items()
    }
    facts = [yaml.safe_load(milestone(rng, i, SOURCES_PER_MILESTONE)[1]) for i in range(count)]
    return [(f["title"], f["date"], (tracks[f["framework"]],)) for f in facts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cards = shown(args.count)

    def draw() -> list[bytes]:
        return [
            social_card(t, d, tracks, "Synthetic timeline", FONT_PATH) for t, d, tracks in cards
        ]

    draw()
    best = float("inf")
    for _ in range(args.runs):
        start = time.process_time()
        made = draw()
        best = min(best, time.process_time() - start)
    print(
        f"{best / len(made) * 1000:.2f} ms of CPU a card (best of {args.runs} runs of "
        f"{len(made)}), {sum(map(len, made)) / len(made):,.0f} bytes a card on average"
    )


if __name__ == "__main__":
    main()
