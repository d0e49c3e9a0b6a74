"""Argument groups shared by subcommands: choosing a distribution and a schedule; sharing work."""

from __future__ import annotations

import argparse

from proofs_check import validate
from proofs_check.sources import families
from proofs_check.sources.base import Source
from proofs_check.sources.jsonio import load
from proofs_check.errors import DlmInputError, ScheduleError
from proofs_check.model.schedules import Schedule, balanced, one_step, randomized_offset


def add_distribution_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("distribution (one of --file or --family)")
    g.add_argument("--file", help="distribution JSON file (kinds: dense, sparse, markov; see README)")
    g.add_argument("--family", choices=families.cli_names(), help="a built-in family")
    g.add_argument("--L", type=validate.int_in(1, "markov_L"), help="sequence length for --family")
    g.add_argument("--V", type=validate.int_in(1, "V"), help="vocabulary size for --family (default 2)")
    g.add_argument("--seed", type=validate.seed, default=0, help="seed for random families (default 0)")
    g.add_argument("--sparsity", type=validate.fraction_in(0, 1, open_hi=True), default=0.0,
                   help="random family: fraction of zero weights, in [0, 1)")
    g.add_argument("--eta", help="noisy-copy family: crossover probability, a rational such as 1/10")
    g.add_argument("--lang", help="words family / letter-bigram markov chain: en, de, fr, es, it, nl, pt")


def add_schedule_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("schedule (default: one step of size L)")
    g.add_argument("--schedule", type=validate.schedule_text, help="step sizes in reveal order, e.g. 3,2,1")
    g.add_argument("--balanced", type=validate.int_in(1, "T"), metavar="T", help="balanced schedule with T steps")
    g.add_argument("--offset", type=validate.int_in(1, "markov_L"), metavar="r",
                   help="randomized-offset member: first step r (needs --step)")
    g.add_argument("--step", type=validate.int_in(1, "markov_L"), metavar="s",
                   help="step size s of the randomized-offset schedule")


def add_parallel_args(p: argparse.ArgumentParser, rounds_of: str) -> None:
    """``--workers``, ``--scheduler`` and ``--rounds`` (:mod:`proofs_check.search.shards`);
    ``rounds_of``: what a round belongs to, for the help text."""
    from proofs_check.search.shards import MAX_ROUNDS, MAX_WORKERS

    g = p.add_argument_group("sharing the work")
    g.add_argument("--workers", type=validate.int_in(1, MAX_WORKERS), default=None,
                   help="processes sharing the shards (default: the number of cores)")
    g.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="run the shards on the Dask cluster at ADDRESS (tcp://HOST:8786; extra [dask])")
    g.add_argument("--rounds", type=validate.int_in(0, MAX_ROUNDS), default=None,
                   help=f"Hypothesis rounds {rounds_of}: a fixed work list, the same results for any "
                        "--workers (default: rounds until --budget seconds have passed)")


def workers_from_args(args) -> int:
    from proofs_check.search.shards import default_workers

    return default_workers() if args.workers is None else args.workers


def distribution_from_args(args) -> Source:
    if bool(args.file) == bool(args.family):
        raise DlmInputError("give exactly one of --file F.json or --family NAME")
    if args.file:
        return load(args.file)
    extra = {"sparsity": args.sparsity} if args.family == "random" else {}
    if getattr(args, "lang", None) is not None:
        extra["lang"] = args.lang
    if getattr(args, "eta", None) is not None:
        extra["eta"] = args.eta
    return families.build(args.family, L=args.L, V=args.V, seed=args.seed, **extra)


def schedule_from_args(args, L: int) -> Schedule:
    chosen = [x for x in ("schedule", "balanced", "offset") if getattr(args, x) is not None]
    if len(chosen) > 1:
        raise ScheduleError(f"give at most one of --schedule, --balanced, --offset (got {', '.join(chosen)})")
    if args.schedule is not None:
        return Schedule.parse(args.schedule, L)
    if args.balanced is not None:
        return balanced(L, args.balanced)
    if args.offset is not None:
        if args.step is None:
            raise ScheduleError("--offset r needs --step s (the size of the later steps)")
        return randomized_offset(L, args.step, args.offset)
    if args.step is not None:
        raise ScheduleError("--step s needs --offset r")
    return one_step(L)
