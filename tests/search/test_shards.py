"""The sharded campaign: the merged result is the same for 1 and 2 worker processes and on a Dask
cluster (a fixed work list: ``rounds``), and the merge keeps the one-process rules (repeats skipped,
the tightest instance and the smallest counterexample kept)."""

from __future__ import annotations

import pytest

from theory import registry

from proofs_check.search.campaign import Campaign, Entry, Tally


def _typed(camp: Campaign) -> dict:
    out = camp.results().to_json()
    for timing in ("elapsed_seconds", "workers"):
        out.pop(timing)
    return out


def _campaign(**kw) -> Campaign:
    sts = (registry.get("S1"), registry.get("P1"))
    return Campaign(statements=sts, structured_max_L=3, max_L=3, rounds=1, **kw).run()


def test_one_and_two_workers_give_the_same_typed_results():
    one, two = _campaign(workers=1), _campaign(workers=2)
    assert one.results().workers == 1 and two.results().workers == 2
    assert one.results().total_checks > 100
    assert _typed(one) == _typed(two)
    # not a comparison that cannot fail: another seed explores other instances
    assert _typed(_campaign(workers=1, seed=1)) != _typed(one)


def test_a_dask_cluster_gives_the_local_result_for_run_and_check():
    distributed = pytest.importorskip("dask.distributed")
    from proofs_check.search.check import check

    def checked(**kw):
        out = check("KL_ideal*KL_ideal <= MI*MI", rounds=2, **kw)
        return out, {k: v for k, v in out.to_json().items() if k not in ("elapsed_seconds", "workers")}

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = _campaign(scheduler=cluster.scheduler_address)
        remote_check, remote_typed = checked(scheduler=cluster.scheduler_address)
    assert remote.results().workers == 2 and remote_check.workers == 2
    assert _typed(remote) == _typed(_campaign(workers=1))
    assert remote_typed == checked(workers=1)[1]


def test_merge_skips_repeats_and_keeps_the_tightest_and_smallest_counterexample():
    t = Tally(registry.get("S1"))
    t.apply(Entry("a", "optimal", 2, 0, 0, (0.5, 0.9), best=(0.9, {"n": "a"})))
    t.apply(Entry("a", "optimal", 2, 0, 0, (0.5, 0.9), best=(0.9, {"n": "a"})))  # the same instance again
    t.apply(Entry("b", "optimal", 1, 0, 1, (1.2,), best=(1.2, {"n": "b"}), cex=((3, 4, 5), {"n": "b"})))
    t.apply(Entry("c", "optimal", 0, 0, 1, (0.1,), cex=((2, 4, 5), {"n": "c"})))
    assert (t.instances, t.checks, t.holds, t.fails) == (3, 5, 3, 2)  # a: 2 holds, b: 1 holds + 1 fails, c: 1 fails
    assert t.tightest_ratio == 1.2 and t.worst == {"n": "b"}
    assert t.counterexample == {"n": "c"}  # the smaller instance
    assert t.ratios == [0.5, 0.9, 1.2, 0.1]


def test_an_offset_member_is_its_own_instance_beside_the_same_sizes_of_another_family():
    """``(3, 2)`` as a member of the step-4 offset family (``L = 5, r = 3``) and the plain
    composition ``(3, 2)`` are checked on different offset cases (step 4, and step s_max = 3):
    two instances, each counted once."""
    from proofs_check.model.instance import Instance, instance_key
    from proofs_check.model.schedules import Schedule
    from proofs_check.sources import families

    d = families.build("copy", L=5, V=2)
    member, plain = Schedule((3, 2), offset_step=4), Schedule((3, 2))
    assert instance_key(d, member) != instance_key(d, plain)
    camp = Campaign(statements=(registry.get("S3"),))
    steps = {r.case.step for r in camp.record(Instance(d, member)) + camp.record(Instance(d, plain))}
    assert steps == {4, 3}
    camp.record(Instance(d, plain))  # a repeat: not counted
    assert camp.tallies["S3"].instances == 2


def test_the_results_memo_changes_no_result_and_serves_the_repeats(monkeypatch):
    """Hypothesis redraws its simplest instances every round: the memo answers those repeats from
    the first check, and the merged campaign is the same as with nothing remembered."""
    from proofs_check.search import campaign as camp_mod

    fresh = camp_mod.ResultsMemo()
    monkeypatch.setattr(camp_mod, "MEMO", fresh)
    with_memo = _campaign(workers=1)
    assert fresh.hits > 0 and fresh.misses > 0
    monkeypatch.setattr(camp_mod, "MEMO_MAX_SUPPORT", -1)  # remember nothing
    none = camp_mod.ResultsMemo()
    monkeypatch.setattr(camp_mod, "MEMO", none)
    without = _campaign(workers=1)
    assert none.hits == 0
    assert _typed(with_memo) == _typed(without)
