"""The unit tests need the Python environment alone, except the few that take the built pages
(which ship the phone-number library from npm's node_modules) or run the pages' script with
it: those are marked `pages`, and `make quick` leaves them out (`make test` runs them)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "pages: needs the npm packages the pages ship (node_modules, make install)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "site" in getattr(item, "fixturenames", ()):  # the built pages
            item.add_marker(pytest.mark.pages)
