"""End-to-end fixtures: one real local stack (what `make dev` runs) for the e2e session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lego_gateway.testing import LocalApi, running_stack


@pytest.fixture(scope="session")
def local_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalApi]:
    """One local stack for the e2e session (started on a free port, stopped at the end)."""
    with running_stack(tmp_path_factory.mktemp("local-stack")) as api:
        yield api
