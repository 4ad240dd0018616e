"""``walkin simulate``: the table, the JSON output and clear errors for bad files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from queues.simulate import main

REPO = Path(__file__).resolve().parents[2]

TINY: dict[str, Any] = {
    "name": "tiny-day",
    "date": "2026-03-10",
    "timezone": "Europe/Paris",
    "opens": "08:00",
    "closes": "20:00",
    "turnover_min": 1.0,
    "doctors": [{"id": "d1", "shifts": [["08:00", "20:00"]]}],
    "patients": [
        {
            "id": "p1",
            "arrival": "08:00:00",
            "priority": "standard",
            "consult_min": 9,
            "patience_min": None,
        },
        {
            "id": "p2",
            "arrival": "08:01:00",
            "priority": "standard",
            "consult_min": 5,
            "patience_min": None,
        },
        {
            "id": "p3",
            "arrival": "08:02:00",
            "priority": "standard",
            "consult_min": 5,
            "patience_min": 1.0,
        },
    ],
    "history_consult_min": [8.0, 9.0, 10.0, 11.0, 12.0],
}


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY), encoding="utf-8")
    return path


def test_prints_a_table_and_writes_the_replay_output(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.json"
    assert main([str(tiny), str(tiny), "--json", str(out)]) == 0
    table = capsys.readouterr().out
    assert "tiny-day" in table and "overall" in table and "naive" in table
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [d["scenario"] for d in data] == ["tiny-day", "tiny-day"]
    rows = {row["id"]: row for row in data[0]["patients"]}
    assert rows["p2"]["called_at"] == "08:10:00" and rows["p2"]["actual_wait_min"] == 9.0
    assert rows["p3"]["called_at"] is None and rows["p3"]["actual_wait_min"] is None
    assert data[0]["summary"]["called"] == 2 and data[0]["summary"]["left_unseen"] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("{not json", "not valid JSON"),
        (json.dumps({**TINY, "closes": "8pm"}), "closes: expected a time HH:MM"),
        (json.dumps([1, 2]), "expected an object"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    out = tmp_path / "out.json"
    assert main([str(path), "--json", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and "bad.json" in err and "Traceback" not in err
    assert not out.exists()


def test_no_scenario_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "walkin simulate" in capsys.readouterr().err


def test_runs_as_a_module(tiny: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "queues.simulate", str(tiny)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "tiny-day" in done.stdout
