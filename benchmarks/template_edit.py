"""The dev server's rebuild after one template changed, for templates that few and many
pages load: `python benchmarks/template_edit.py DIR` on a site of benchmarks/corpus.py.

One `SiteBuilder` in one process, as `serve` runs it, told which file changed as the
watcher tells it; each template is edited 7 times and the median is printed, with how many
pages its rebuild rendered. Numbers only: it asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from pathlib import Path

from sitegen.build import Options, SiteBuilder

TEMPLATES = ("tags.html", "framework.html", "source.html")  # one page; a track's; a source's


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a site written by benchmarks/corpus.py")
    site = parser.parse_args().site
    builder = SiteBuilder(site, Options(cache=False, jobs=1))
    builder.build()
    gc.collect()  # as `sitegen serve` does after its first build (see `cli.run_serve`)
    gc.freeze()
    for name in TEMPLATES:
        path = site / "templates" / name
        original = path.read_text()
        times, pages = [], 0
        try:
            for run in range(7):
                path.write_text(original + f"{{# edited {run} #}}\n")
                start = time.perf_counter()
                pages = builder.build(changed={f"templates/{name}"}).rendered
                times.append(time.perf_counter() - start)
        finally:
            path.write_text(original)
        print(f"{name}: {pages} pages, median {statistics.median(times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
