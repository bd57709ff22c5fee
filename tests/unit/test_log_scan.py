"""The log scan of the end-to-end runs finds personal data where it is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.conftest import Running, personal_data_in_logs


def test_a_leaked_email_in_a_function_log_is_found(tmp_path: Path) -> None:
    (tmp_path / "state" / "logs").mkdir(parents=True)
    (tmp_path / "run.log").write_text("POST /api/registrations 201\n")
    (tmp_path / "state" / "logs" / "Fn.log").write_text('{"message": "hi anne@example.dk"}\n')
    process: Any = None
    running = Running("http://x", process, tmp_path / "run.log", tmp_path / "state")
    running.remember("anne@example.dk", "Anne Hansen")
    assert personal_data_in_logs(running) == ["Fn.log: 'anne@example.dk'"]
