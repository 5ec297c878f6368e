"""The data loader: every shipped table is valid, and bad tables name file:line:column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.errors import InputError
from analysis.inputs import data
from analysis.paths import DATA_DIR


def test_every_shipped_table_loads_and_cites_known_sources() -> None:
    data.validate_all()
    source_ids = set(data.load_table("sources.csv")["id"])
    for name in data.SCHEMAS:
        if name == "sources.csv" or not (DATA_DIR / name).exists():
            continue
        table = data.load_table(name)
        assert len(table) > 0, name
        if "source_id" in table:  # the glossary is the book's own text
            assert set(table["source_id"]) <= source_ids, name


def test_every_csv_under_data_has_a_schema() -> None:
    assert {p.name for p in DATA_DIR.glob("*.csv")} <= set(data.SCHEMAS)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture text {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("table", "old", "new", "expected"),
    [
        ("published_figures.csv", "v3_total_usd,V3 total training cost at $2 per GPU-hour,5576000",
         "v3_total_usd,V3 total training cost at $2 per GPU-hour,lots", r"published_figures.csv:\d+:value: expected a number"),
        ("published_figures.csv", ",Table 1,v3_report", ",Table 1,no_such_source", r":\d+:source_id: unknown source id 'no_such_source'"),
        ("published_figures.csv", "id,description,value", "id,description,amount", r"published_figures.csv:1: missing column\(s\) value"),
        ("sources.csv", "2024-12-27,A", "2024-12-27,E", r"sources.csv:\d+:confidence: expected confidence A, B, C or D"),
        ("published_figures.csv", "v3_context_ext_usd,", "v3_pretrain_usd,", r":\d+:id: duplicate key 'v3_pretrain_usd' \(first on line 2\)"),
        ("published_figures.csv", "5328000,USD", "inf,USD", r":\d+:value: expected a finite number"),
    ],
)
def test_bad_table_names_file_line_and_column(data_copy: Path, table: str, old: str, new: str, expected: str) -> None:
    _edit(data_copy / table, old, new)
    with pytest.raises(InputError, match=expected):
        data.load_table("published_figures.csv", data_copy)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="sources.csv: file not found"):
        data.load_table("claims.csv", tmp_path)


def test_published_figure_lookup() -> None:
    assert data.published("v3_total_usd") == 5_576_000
    with pytest.raises(InputError, match="no figure 'nope'"):
        data.published("nope")


def test_derived_is_made_once_per_loaded_table_and_again_after_a_reload(tmp_path: Path) -> None:
    """What is made from a table (the parameter registry, the claims' figures) follows the table: kept while it is
    loaded, made again from the new file once the data are reloaded."""
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    made: list[int] = []

    def count_rows(data_dir: Path) -> int:
        made.append(1)
        return len(data.load_table("claims.csv", data_dir))

    rows = data.derived("claims.csv", count_rows, folder)
    assert data.derived("claims.csv", count_rows, folder) == rows and len(made) == 1
    lines = (folder / "claims.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "claims.csv").write_text("".join(lines[:-1]), encoding="utf-8")  # one claim fewer
    data.validate_all(folder)
    assert data.derived("claims.csv", count_rows, folder) == rows - 1 and len(made) == 2
