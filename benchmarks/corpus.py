"""Write a deterministic synthetic site of N milestones: `python benchmarks/corpus.py N DIR`.

The site is complete (content/ and a copy of the project's templates/), so `cd DIR &&
sitegen build` builds it. The same N always writes the same bytes.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED = 20220914
FRAMEWORKS = {
    "pytorch": ("PyTorch", 1, "#ac3505"),
    "tensorflow": ("TensorFlow", 2, "#269683"),
    "jax": ("JAX", 3, "#6840be"),
}
WORDS = [
    "tensor",
    "graph",
    "kernel",
    "gradient",
    "compiler",
    "runtime",
    "device",
    "model",
    "layer",
    "training",
    "inference",
    "batch",
    "shape",
    "memory",
    "operator",
    "backend",
    "release",
    "support",
    "performance",
    "distributed",
    "export",
    "module",
    "optimizer",
    "checkpoint",
    "dataset",
    "precision",
    "quantized",
    "sparse",
    "eager",
    "trace",
    "program",
    "research",
    "community",
    "library",
    "hardware",
    "accelerator",
    "cluster",
    "pipeline",
    "autograd",
    "vector",
]
SOURCES_PER_MILESTONE = 50  # one source file for every 50 milestones, each cited by ~50


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def summary(rng: random.Random, framework: str) -> str:
    """150-250 words of Markdown: a heading, a list, a link, emphasis and a code span."""
    target = rng.randint(150, 250)
    intro = rng.randint(20, 30)
    items = [rng.randint(8, 14) for _ in range(3)]
    rest = target - intro - sum(items) - 8  # the fixed words below
    lines = [
        f"{sentence(rng, intro)} It ships *{rng.choice(WORDS)}* support and "
        f"`{framework}.{rng.choice(WORDS)}()`.",
        "",
        "## What changed",
        "",
        *(f"- {sentence(rng, n)}" for n in items),
        "",
        f"{sentence(rng, rest)} See [the notes](https://example.org/{framework}/notes).",
    ]
    return "\n".join(lines)


def date(rng: random.Random) -> str:
    year = rng.randint(2010, 2026)
    precision = rng.choice(("year", "month", "day"))
    if precision == "year":
        return f"{year}"
    month = f"{year}-{rng.randint(1, 12):02d}"
    return month if precision == "month" else f"{month}-{rng.randint(1, 28):02d}"


def milestone(rng: random.Random, index: int, sources: int) -> tuple[str, str]:
    framework = rng.choice(sorted(FRAMEWORKS))
    ident = f"{framework}-{index:06d}"
    body = "\n".join(f"  {line}" if line else "" for line in summary(rng, framework).split("\n"))
    return ident, (
        f"id: {ident}\n"
        f'date: "{date(rng)}"\n'
        f"framework: {framework}\n"
        f"title: {FRAMEWORKS[framework][0]} milestone {index}\n"
        f"summary: |\n{body}\n"
        f"tags: [{rng.choice(('release', 'research', 'community'))}]\n"
        f"sources:\n"
        f"  - source: source-{rng.randrange(sources):05d}\n"
        f"    quote: {rng.choice(WORDS)}\n"
    )


def write_corpus(count: int, root: Path) -> None:
    """Write the site of `count` milestones into `root` (its content/ is replaced)."""
    rng = random.Random(SEED)
    content = root / "content"
    shutil.rmtree(content, ignore_errors=True)
    shutil.rmtree(root / "templates", ignore_errors=True)
    shutil.copytree(REPO / "templates", root / "templates")
    for folder in ("milestones", "sources", "frameworks"):
        (content / folder).mkdir(parents=True)
    (content / "site.yaml").write_text(
        f"title: Synthetic timeline\ndescription: {count} generated milestones.\n"
        "site_url: https://example.org\n"
    )
    sources = max(1, count // SOURCES_PER_MILESTONE)
    for i in range(sources):
        (content / "sources" / f"source-{i:05d}.yaml").write_text(
            f"id: source-{i:05d}\ntitle: Source {i}\npublished: {2010 + i % 17}\n"
            f"url: https://example.org/sources/{i}\n"
        )
    for ident, (name, order, color) in FRAMEWORKS.items():
        (content / "frameworks" / f"{ident}.yaml").write_text(
            f'id: {ident}\nname: {name}\norder: {order}\ncolor: "{color}"\n'
            f"tagline: A framework.\nwebsite: https://example.org/{ident}\n"
            f"facts:\n  - text: {name} is *real*.\n    sources: [{{source: source-00000}}]\n"
        )
    for i in range(count):
        ident, text = milestone(rng, i, sources)
        (content / "milestones" / f"{ident}.yaml").write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="how many milestones")
    parser.add_argument("dir", type=Path, help="the site folder to write")
    args = parser.parse_args()
    write_corpus(args.count, args.dir)


if __name__ == "__main__":
    main()
