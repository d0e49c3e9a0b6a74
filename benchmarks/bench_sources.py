"""Time the information profile of the two structured sources against their performance goals.

Rows, all run side by side in one process (median of ``--repeat`` runs, default 3, seconds):

markov float     ``random_chain(L, V=4, seed=1).profile().h_float``: the closed-form Markov
                 profile; a fresh chain per run (results are cached on the chain object), so
                 construction + profile are timed.  L = 1024, 4096, 16384.
words float      ``InformationProfile.of(dist).h_float`` for ``dist = words_distribution("en", L)``
                 (built outside the timing).  L = 5, 8.
words exact      ``.h_exact`` on a fresh ``InformationProfile.of(dist)`` (made outside the timing),
                 so only the exact log-linear profile is timed.  L = 5, 8.
words build      ``words_distribution("en", 8)``: ``cold`` clears the module's caches (and
                 wordfreq's ``get_frequency_list`` cache) before each run, so the word list is
                 read and parsed again; ``cached`` is the call with the support already cached.

Performance goals, printed next to the numbers: Markov profile at L=4096, V=4 under 1 s; words
profile at L=8 under 1 s (shown for both the float and the exact words profile).  The words
rows also check that the float and exact profiles agree (``max abs dh``, nats).

Usage:
    python benchmarks/bench_sources.py               # plain table
    python benchmarks/bench_sources.py --markdown    # the same table as Markdown
    python benchmarks/bench_sources.py --repeat 5
"""

from __future__ import annotations

import argparse
import sys

import wordfreq

from proofs_check.sources import words as words_module
from proofs_check.sources.markov import random_chain
from proofs_check.sources.profile import InformationProfile
from proofs_check.sources.words import words_distribution

from timing import finish, median_time, print_row, print_start  # benchmarks/timing.py

MARKOV_LENGTHS = (1024, 4096, 16384)
WORD_LENGTHS = (5, 8)
GOALS = {("markov float", 4096): 1.0, ("words float", 8): 1.0, ("words exact", 8): 1.0}
COLUMNS = ("source", "size", "median s", "goal", "meets goal", "note")


def clear_word_caches() -> None:
    """Empty the words module's caches and wordfreq's list cache (so the build starts cold)."""
    for name in ("_buckets", "_ascii_entries", "_support", "_scaled_power_of_ten"):
        getattr(words_module, name).cache_clear()
    wordfreq.get_frequency_list.cache_clear()


def row(source: str, key, size: str, t: float, note: str = "") -> list[str]:
    goal = GOALS.get((source, key))
    verdict = "-" if goal is None else ("yes" if t < goal else "NO")
    return [source, size, f"{t:.4f}" if t < 10 else f"{t:.1f}",
            "-" if goal is None else f"< {goal:g} s", verdict, note]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is shown")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args(argv)
    widths = [14, 22, 9, 7, 10, 30]
    print(f"# structured sources: medians of {args.repeat} runs, seconds")
    print_start()
    print_row(list(COLUMNS), widths, args.markdown)
    if args.markdown:
        print("|" + "|".join(("---", "---", "---:", "---:", "---", "---")) + "|")

    for L in MARKOV_LENGTHS:
        t, _ = median_time(lambda: random_chain(L, V=4, seed=1).profile().h_float, args.repeat)
        print_row(row("markov float", L, f"L={L}, V=4", t, "construction + profile"), widths, args.markdown)

    worst = 0.0
    for L in WORD_LENGTHS:
        dist = words_distribution("en", L)
        size = f"en, L={L}, {dist.n_support} words"
        t, h = median_time(lambda: InformationProfile.of(dist).h_float, args.repeat)
        print_row(row("words float", L, size, t), widths, args.markdown)
        t, hx = median_time(lambda p: p.h_exact, args.repeat, setup=lambda: InformationProfile.of(dist))
        dh = max(abs(float(x) - float(y)) for x, y in zip(hx, h))
        worst = max(worst, dh)
        print_row(row("words exact", L, size, t, f"max abs dh {dh:.1e}"), widths, args.markdown)

    t, _ = median_time(lambda _: words_distribution("en", 8), args.repeat, setup=clear_word_caches)
    print_row(row("words build", 8, "en, L=8, cold", t, "word list re-read and parsed"), widths, args.markdown)
    words_distribution("en", 8)
    t, _ = median_time(lambda: words_distribution("en", 8), args.repeat)
    print_row(row("words build", 8, "en, L=8, cached", t, "support cached"), widths, args.markdown)

    return finish(worst, "float and exact words profiles")


if __name__ == "__main__":
    sys.exit(main())
