"""The cycle collector paused by batches: off while any runs, given back once when the last ends."""

from __future__ import annotations

import gc
import threading

import pytest

from smsgw_kit import collector


@pytest.fixture(autouse=True)
def collector_enabled():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_the_collector_is_paused_while_a_batch_runs_and_enabled_after():
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_batch_that_fails_still_gives_the_collector_back():
    with pytest.raises(RuntimeError), collector.paused():
        raise RuntimeError("the apply was refused")
    assert gc.isenabled()


def test_a_collector_the_process_had_turned_off_stays_off():
    gc.disable()
    with collector.paused():
        pass
    assert not gc.isenabled()


def test_overlapping_batches_in_two_threads_enable_it_when_the_last_ends():
    inside, release, seen = threading.Event(), threading.Event(), []

    def first():
        with collector.paused():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(10)
    with collector.paused():
        pass
    seen.append(gc.isenabled())  # the first batch still runs: still paused
    release.set()
    thread.join(10)
    assert seen == [False] and gc.isenabled()


def test_young_generations_are_collected_during_a_batch_unless_the_process_turned_the_collector_off():
    collected = []

    def seen(phase, info):
        if phase == "start":
            collected.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        with collector.paused():
            collector.collect_young()
        assert collected == [1]
        gc.disable()
        with collector.paused():
            collector.collect_young()
        assert collected == [1]  # the process's own choice stands
    finally:
        gc.callbacks.remove(seen)
