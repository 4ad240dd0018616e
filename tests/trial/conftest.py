"""The trial's server: one per module, shared by every generated case."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.trial.served import Trial, serve, trial_database


@pytest.fixture(scope="module")
def trial(template_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trial]:
    with (
        trial_database(template_database, tmp_path_factory.mktemp("trial")) as url,
        serve(url) as served,
    ):
        yield served
