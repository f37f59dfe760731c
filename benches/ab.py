#!/usr/bin/env python3
"""A/B timing of two `vexpr` binaries on the benchmark suite, side by side in one run.

    .venv/bin/python benches/ab.py --base /path/to/old/vexpr [--new target/release/vexpr]
        [--sizes 1e3,1e6] [--threads 1] [--rounds 5] [--only slug,slug]

For each suite expression, size and thread count, the two binaries' `eval --time R` run
alternately (which goes first alternates too) for several rounds; a binary's time is the median
of its round medians, and the ratio new / base is printed per row (below 1: the new binary is
faster), with the geometric mean. Each round pair runs within a second or so of each other, so
machine noise that lasts longer than that moves both sides; that is why this is how a change's
effect on speed is judged on a shared machine, not by comparing BENCHMARKS.md runs.

Inputs and the suite come from `benches/compare.py` (`bench_native list`, seeded `.npy` files).
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare  # noqa: E402


def time_one(binary: Path, entry, files: list[str], runs: int, threads: int) -> float:
    cmd = [binary, "eval", entry.expr, *files, "--time", str(runs), "--threads", str(threads),
           "-o", "/dev/null"]
    return compare.parse_time_line(compare.run(cmd))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, required=True, help="the baseline vexpr binary")
    parser.add_argument("--new", type=Path, default=compare.VEXPR, help="the new vexpr binary")
    parser.add_argument("--sizes", default="1e3,1e5,1e6", help="element counts, comma-separated")
    parser.add_argument("--threads", default="1", help="thread counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", help="only these suite slugs, comma-separated")
    args = parser.parse_args()

    sizes = [int(float(s)) for s in args.sizes.split(",")]
    threads = [int(t) for t in args.threads.split(",")]
    suite = compare.load_suite()
    if args.only:
        wanted = set(args.only.split(","))
        suite = [e for e in suite if e.slug in wanted]
    runs_by_n = {1_000: 2000, 100_000: 100, 1_000_000: 20, 10_000_000: 5}

    print(f"base: {args.base}\nnew:  {args.new}\n")
    print("| expression | N | threads | base | new | new / base |")
    print("|---|--:|--:|--:|--:|--:|")
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            directory = Path(tmp) / str(n)
            compare.make_inputs(n, directory)
            runs = runs_by_n.get(n, max(5, 20_000_000 // max(n, 1)))
            for entry in suite:
                files = compare.bindings(entry, directory)
                for t in threads:
                    base, new = [], []
                    for r in range(args.rounds):
                        order = [(args.base, base), (args.new, new)]
                        if r % 2:
                            order.reverse()
                        for binary, into in order:
                            into.append(time_one(binary, entry, files, runs, t))
                    b, w = statistics.median(base), statistics.median(new)
                    ratios.append(w / b)
                    print(f"| `{entry.expr}` | {compare.size_name(n)} | {t} | "
                          f"{compare.human(b)} | {compare.human(w)} | {w / b:.3f} |", flush=True)
    print(f"\ngeometric mean of new / base over {len(ratios)} rows: "
          f"{compare.geomean(ratios):.3f}; worst row {max(ratios):.3f}, best {min(ratios):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
