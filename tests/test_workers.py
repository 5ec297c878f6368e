"""Notebooks are handed to the workers longest first, by how long each took last time (analysis.pipeline.workers)."""

from __future__ import annotations

from pathlib import Path

from analysis.pipeline import workers
from analysis.pipeline.notebooks import Execution


def _jobs(tmp_path: Path, sizes: dict[str, int]) -> list[workers.Job]:
    jobs = []
    for stem, size in sizes.items():
        path = tmp_path / f"{stem}.ipynb"
        path.write_bytes(b"x" * size)
        jobs.append((path, path, {}))
    return jobs


def test_longest_last_time_first_then_biggest(tmp_path: Path) -> None:
    jobs = _jobs(tmp_path, {"intro": 300, "serving": 900, "claims": 200, "scenarios": 10})
    order = [job[0].stem for job in workers.longest_first(jobs, {"claims": 2.0, "intro": 0.5})]
    assert order == ["claims", "intro", "serving", "scenarios"]  # timed ones by time, the others by size
    assert [job[0].stem for job in workers.longest_first(jobs, {})] == ["serving", "intro", "claims", "scenarios"]


def test_seconds_remembered_and_merged(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert workers.last_seconds(cache) == {}
    workers.remember_seconds(cache, [Execution(Path("a/intro.ipynb"), 1.25), Execution(Path("a/claims.ipynb"), 9.0, "failed")])
    workers.remember_seconds(cache, [Execution(Path("a/serving.ipynb"), 2.5)])
    assert workers.last_seconds(cache) == {"intro": 1.25, "serving": 2.5}  # a failed run is not a timing
    (cache / "notebook-seconds.json").write_text("{not json")
    assert workers.last_seconds(cache) == {}  # unreadable: no order, no error
