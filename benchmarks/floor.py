"""The floor: a plain single-process loop over a corpus's milestones, for comparison.

`python benchmarks/floor.py SITE OUT` reads every milestone with the C YAML loader,
renders its summary with markdown-it-py and one precompiled Jinja template, writes one
page per milestone plus an index listing them all, and prints its stage times as JSON.
No validation, no positions, no listings beyond the index: a lower bound on the work.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import time
from pathlib import Path

import jinja2
import yaml
from markdown_it import MarkdownIt

PAGE = jinja2.Template(
    "<!doctype html>\n<html lang=en><head><meta charset=utf-8><title>{{ m.title }}</title>"
    "</head><body><h1>{{ m.title }}</h1><p>{{ m.date }} · {{ m.framework }}</p>"
    "{{ summary }}</body></html>\n",
    autoescape=True,
)
INDEX = jinja2.Template(
    "<!doctype html>\n<html lang=en><head><meta charset=utf-8><title>Index</title></head>"
    '<body><ul>{% for m in ms %}<li><a href="/milestones/{{ m.id }}/">{{ m.title }}</a>'
    "</li>{% endfor %}</ul></body></html>\n",
    autoescape=True,
)


def run(site: Path, out: Path) -> dict[str, float]:
    """Build the floor site; return seconds per stage."""
    times = dict.fromkeys(("load", "markdown", "template", "write"), 0.0)
    clock = time.perf_counter
    md = MarkdownIt("commonmark")
    shutil.rmtree(out, ignore_errors=True)
    milestones = []
    for path in sorted((site / "content" / "milestones").glob("*.yaml")):
        start = clock()
        m = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        t1 = clock()
        summary = md.render(m["summary"])
        t2 = clock()
        data = PAGE.render(m=m, summary=jinja2.utils.markupsafe.Markup(summary)).encode()
        t3 = clock()
        target = out / "milestones" / m["id"] / "index.html"
        target.parent.mkdir(parents=True)
        target.write_bytes(data)
        t4 = clock()
        times["load"] += t1 - start
        times["markdown"] += t2 - t1
        times["template"] += t3 - t2
        times["write"] += t4 - t3
        milestones.append(m)
    start = clock()
    data = INDEX.render(ms=milestones).encode()
    t1 = clock()
    (out / "index.html").write_bytes(data)
    times["template"] += t1 - start
    times["write"] += clock() - t1
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a site written by benchmarks/corpus.py")
    parser.add_argument("out", type=Path, help="the output folder (replaced)")
    args = parser.parse_args()
    start = time.perf_counter()
    times = run(args.site, args.out)
    times["total"] = time.perf_counter() - start
    times["maxrss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(times))


if __name__ == "__main__":
    main()
