"""The log scan of the end-to-end runs finds personal data where it is written."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.log_scan import scan_logs


def test_a_leaked_email_in_a_function_log_is_found(tmp_path: Path) -> None:
    run, function = tmp_path / "run.log", tmp_path / "Fn.log"
    run.write_text("POST /api/registrations 201\n")
    function.write_text('{"message": "hi anne@example.dk"}\n')
    assert scan_logs([run, function], {"anne@example.dk", "Anne Hansen"}) == [
        "Fn.log: 'anne@example.dk'"]
    assert scan_logs([run], {"anne@example.dk"}) == []


def test_a_number_counts_as_itself_not_inside_a_longer_one(tmp_path: Path) -> None:
    log = tmp_path / "Fn.log"
    log.write_text('{"duration_ms": 1666, "id": "a6660f"}\n{"member": "666"}\n')
    assert scan_logs([log], {"666"}) == ["Fn.log: '666'"]
    log.write_text('{"duration_ms": 1666, "id": "a6660f"}\n')
    assert scan_logs([log], {"666"}) == []
