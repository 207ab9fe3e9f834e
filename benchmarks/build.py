"""Benchmark sitegen on synthetic corpora and print Markdown tables (numbers, never asserts).

    python benchmarks/build.py [--sizes 1000 10000] [--huge] [--runs 3] [--jobs N] [--no-dev]

For each size, in fresh processes: the floor (benchmarks/floor.py), a cold build (no cache,
no output), a warm build with nothing changed, a warm build after one milestone changed,
and each one's peak memory; medians of --runs runs. Then the dev server's path in one
process: a SiteBuilder rebuilding after one milestone changed (reworded, or moved to another
date) and after the template of the tracks' pages changed. Targets are from issues 6 and 13.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from corpus import write_corpus  # noqa: E402

CHILD = """
import gc, json, resource, sys
from pathlib import Path
from sitegen.build import Options, build_site
gc.disable()  # as `sitegen build` does: the process ends with the build
site, out, cache, jobs = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1", int(sys.argv[4])
result = build_site(site, out, Options(cache=cache, jobs=jobs))
print(json.dumps({
    "timings": result.timings,
    "rendered": result.rendered,
    "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "workers_maxrss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
}))
"""
STAGES = ("load", "validate", "plan", "markdown", "templates", "write", "search", "cache")
CPU = ("render (cpu)", "write (cpu)")  # summed over the processes rendering pages


def compile_sitegen() -> None:
    """sitegen's bytecode, as an installed sitegen has it: pip compiles a package's as it
    installs it, and Python writes it on first import, unless PYTHONDONTWRITEBYTECODE (set on
    some machines) says not to; then every child below would compile sitegen anew first,
    about 0.11 s of each warm build."""
    import sitegen

    compileall.compile_dir(Path(sitegen.__file__).parent, quiet=1)


def run_child(args: list[str]) -> tuple[float, dict]:
    """Wall time of a fresh Python process (start-up included) and what it printed."""
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, json.loads(done.stdout.strip().splitlines()[-1])


def sitegen_build(site: Path, cache: bool, jobs: int) -> tuple[float, dict]:
    args = [sys.executable, "-c", CHILD, str(site), str(site / "output"), str(int(cache))]
    return run_child([*args, str(jobs)])


def touch_one(site: Path, run: int) -> str:
    """Change one milestone's summary (a different word each run), as an editor would;
    returns its path as the dev server's watcher reports it."""
    files = sorted((site / "content" / "milestones").iterdir())
    path = files[len(files) // 2]
    text = re.sub(r"\n  Edited \d+\.", "", path.read_text())
    path.write_text(text.replace("\ntags:", f"\n  Edited {run}.\ntags:", 1))
    return path.relative_to(site).as_posix()


def move_one(site: Path, run: int) -> str:
    """Give the same milestone as `touch_one` another date (and so another place on the
    timeline), as an editor would; returns its path as the watcher reports it."""
    files = sorted((site / "content" / "milestones").iterdir())
    path = files[len(files) // 2]
    text = re.sub(
        r"^date: .*$", f'date: "20{10 + run % 15}-0{1 + run % 9}"', path.read_text(), flags=re.M
    )
    path.write_text(text)
    return path.relative_to(site).as_posix()


def edit_template(site: Path, run: int) -> str:
    """Change `framework.html`, which the tracks' pages load and nothing else does: one
    page a track, or past the theme's page size one a year of each; returns its path as
    the watcher reports it."""
    path = site / "templates" / "framework.html"
    text = re.sub(r"\n\{# edited \d+ #\}\n$", "\n", path.read_text())
    path.write_text(text + f"{{# edited {run} #}}\n")
    return path.relative_to(site).as_posix()


def median(values: list[float]) -> float:
    return statistics.median(values)


def measure(site: Path, runs: int, jobs: int) -> dict[str, dict]:
    results: dict[str, dict] = {}
    floor = [
        run_child([sys.executable, str(HERE / "floor.py"), str(site), str(site / "floor-out")])
        for _ in range(runs)
    ]
    results["floor"] = {
        "wall": median([w for w, _ in floor]),
        "maxrss": max(f["maxrss"] for _, f in floor),
        "stages": {k: median([f[k] for _, f in floor]) for k in floor[0][1]},
    }
    shutil.rmtree(site / "floor-out", ignore_errors=True)
    kinds: dict[str, list[tuple[float, dict]]] = {"cold": [], "warm": [], "one": []}
    for run in range(runs):
        shutil.rmtree(site / "output", ignore_errors=True)
        shutil.rmtree(site / ".sitegen-cache", ignore_errors=True)
        kinds["cold"].append(sitegen_build(site, True, jobs))
        kinds["warm"].append(sitegen_build(site, True, jobs))
        touch_one(site, run)
        kinds["one"].append(sitegen_build(site, True, jobs))
    for kind, samples in kinds.items():
        results[kind] = {
            "wall": median([w for w, _ in samples]),
            "maxrss": max(s["maxrss"] for _, s in samples),
            "rendered": samples[-1][1]["rendered"],
            "workers_maxrss": max(s["workers_maxrss"] for _, s in samples),
            "stages": {
                k: median([s["timings"].get(k, 0.0) for _, s in samples]) for k in STAGES + CPU
            },
        }
    return results


def dev_server_path(site: Path, runs: int) -> dict[str, float]:
    """One process, one SiteBuilder: rebuild after one edit, as `serve` does; the median
    time of each kind of edit, and how many pages the last of each rendered."""
    from sitegen.build import Options, SiteBuilder

    # One process, as in `serve`: its threads rule out forking workers; drafts shown.
    builder = SiteBuilder(site, Options(cache=False, jobs=1, drafts=True))
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "site"
        builder.build(out)
        written = []
        for run in range(runs):
            changed = {touch_one(site, 100 + run)}
            start = time.perf_counter()
            builder.build(out, changed)
            written.append(time.perf_counter() - start)
        builder.build()
        gc.collect()  # as `sitegen serve` does after its first build (see `cli.run_serve`)
        gc.freeze()
        times: dict[str, list[float]] = {"in_memory": [], "moved": [], "template": []}
        rendered: dict[str, int] = {}
        edits = (("in_memory", touch_one), ("moved", move_one), ("template", edit_template))
        for run in range(max(runs, 7)):  # cheap: enough runs for a median at any size
            for kind, edit in edits:
                changed = {edit(site, 200 + run)}
                start = time.perf_counter()
                rendered[kind] = builder.build(changed=changed).rendered
                times[kind].append(time.perf_counter() - start)
    found = {kind: median(values) for kind, values in times.items()}
    return {
        "with_write": median(written),
        **found,
        **{f"{k} pages": v for k, v in rendered.items()},
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def mib(size: float) -> str:
    return f"{size / 2**20:,.0f} MiB"


def report(size: int, r: dict[str, dict], dev: dict[str, float] | None) -> str:
    floor = r["floor"]["wall"]
    rows = [
        f"### {size:,} milestones",
        "",
        "| build | time | vs floor | target | pages rendered | peak memory (largest worker) |",
        "|---|---:|---:|---|---:|---:|",
        f"| floor (plain loop, 1 process) | {ms(floor)} | 1.00x | | "
        f"| {mib(r['floor']['maxrss'])} |",
        row("cold (no cache, no output)", r["cold"], floor, "<= 0.50x"),
        row("warm, nothing changed", r["warm"], floor, "<= 0.125x"),
        row("warm, one milestone changed", r["one"], floor, "< 250 MiB"),
    ]
    if dev:
        rows += [
            f"| dev server: one milestone changed, in process | {ms(dev['with_write'])} "
            f"(in memory only: {ms(dev['in_memory'])}) | | < 100 ms "
            f"| {dev['in_memory pages']} | |",
            f"| dev server: one milestone moved (a new date), in memory | {ms(dev['moved'])}"
            f" | | < 100 ms | {dev['moved pages']} | |",
            f"| dev server: framework.html (the tracks' pages) changed, in memory "
            f"| {ms(dev['template'])} | | < 100 ms | {dev['template pages']} | |",
        ]
    rows += [
        "",
        "Stages (wall seconds, medians; templates includes writing the pages rendered, in the"
        " processes that render them; the last two columns are CPU seconds over those processes):",
        "",
        "| build | " + " | ".join(STAGES + CPU) + " |",
        "|---|" + "---:|" * len(STAGES + CPU),
    ]
    for kind in ("cold", "warm", "one"):
        cells = " | ".join(f"{r[kind]['stages'][s]:.2f}" for s in STAGES + CPU)
        rows.append(f"| {kind} | {cells} |")
    f = r["floor"]["stages"]
    rows.append(
        f"| floor | {f['load']:.2f} | | | {f['markdown']:.2f} | {f['template']:.2f} "
        f"| {f['write']:.2f} | | | | |"
    )
    return "\n".join(rows)


def row(name: str, r: dict, floor: float, target: str) -> str:
    worker = f" ({mib(r['workers_maxrss'])})" if r["workers_maxrss"] else ""
    return (
        f"| {name} | {ms(r['wall'])} | {r['wall'] / floor:.2f}x | {target} "
        f"| {r['rendered']:,} | {mib(r['maxrss'])}{worker} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--huge", action="store_true", help="add 100,000 milestones")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0, help="processes (default: all CPUs)")
    parser.add_argument("--workdir", type=Path, help="where corpora go (default: a temp dir)")
    parser.add_argument(
        "--no-dev", action="store_true", help="skip the dev server's rows (at 100,000: hours)"
    )
    args = parser.parse_args()
    sizes = [*args.sizes, *([100_000] if args.huge else [])]
    compile_sitegen()
    with tempfile.TemporaryDirectory() as folder:
        workdir = args.workdir or Path(folder)
        print(f"CPUs: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}\n")
        for size in sizes:
            site = workdir / f"corpus-{size}"
            write_corpus(size, site)
            results = measure(site, args.runs, args.jobs)
            dev = dev_server_path(site, args.runs) if size >= 10_000 and not args.no_dev else None
            print(report(size, results, dev), "\n", flush=True)
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
