"""A run pauses the cyclic collector; once it is over, nothing it made waits for a full walk,
and cycles are still collected."""

from __future__ import annotations

import gc
import weakref

from commclean.runtime.collector import collector_paused


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


def test_the_collector_is_paused_during_a_run_and_resumes_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_what_a_run_allocated_is_counted_as_old_when_it_ends() -> None:
    with collector_paused():
        records = [[n] for n in range(50_000)]
    # Left in the youngest generation, the run's records would all be walked by the first
    # collection after it (0.3 s at 100k files); in the oldest, only by that generation's turn.
    oldest = {id(thing) for thing in gc.get_objects(generation=2)}
    assert id(records) in oldest and id(records[-1]) in oldest


def test_cycles_made_during_a_run_are_still_collected_afterwards() -> None:
    with collector_paused():
        node = Node()
        alive = weakref.ref(node)
        del node
        assert alive() is not None  # nothing collects it while paused
    gc.collect()
    assert alive() is None


def test_a_collector_paused_by_the_caller_stays_paused() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_what_a_cycle_made_during_a_run_holds_is_let_go_when_the_run_ends() -> None:
    class Payload:  # stands for a step's inputs, held by a cycle Prefect's engine made
        pass

    with collector_paused():
        cycle: list[object] = [Payload()]
        cycle.append(cycle)
        held = weakref.ref(cycle[0])
        del cycle
        assert held() is not None  # nothing collects while paused
    assert held() is None  # not aged into the oldest generation to wait for a full collection
