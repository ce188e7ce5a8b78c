"""Process-wide interpreter settings held by batches: changed while any runs, given back once when the last ends."""

from __future__ import annotations

import gc
import sys
import threading

import pytest

from smsgw_kit import interpreter


@pytest.fixture(autouse=True)
def collector_enabled():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_the_collector_is_paused_while_a_batch_runs_and_enabled_after():
    with interpreter.paused_collector():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_batch_that_fails_still_gives_the_collector_back():
    with pytest.raises(RuntimeError), interpreter.paused_collector():
        raise RuntimeError("the apply was refused")
    assert gc.isenabled()


def test_a_collector_the_process_had_turned_off_stays_off():
    gc.disable()
    with interpreter.paused_collector():
        pass
    assert not gc.isenabled()


def test_overlapping_batches_in_two_threads_enable_it_when_the_last_ends():
    inside, release, seen = threading.Event(), threading.Event(), []

    def first():
        with interpreter.paused_collector():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(10)
    with interpreter.paused_collector():
        pass
    seen.append(gc.isenabled())  # the first batch still runs: still paused
    release.set()
    thread.join(10)
    assert seen == [False] and gc.isenabled()


def test_the_switch_interval_and_the_collector_are_held_apart():
    before = sys.getswitchinterval()
    with interpreter.paused_collector():
        assert sys.getswitchinterval() == before
        with interpreter.responsive_threads():
            assert sys.getswitchinterval() == min(before, interpreter.BATCH_SWITCH_INTERVAL)
        assert sys.getswitchinterval() == before and not gc.isenabled()
    assert gc.isenabled()


def test_young_generations_are_collected_during_a_batch_unless_the_process_turned_the_collector_off():
    collected = []

    def seen(phase, info):
        if phase == "start":
            collected.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        with interpreter.paused_collector():
            interpreter.collect_young()
        assert collected == [1]
        gc.disable()
        with interpreter.paused_collector():
            interpreter.collect_young()
        assert collected == [1]  # the process's own choice stands
    finally:
        gc.callbacks.remove(seen)
