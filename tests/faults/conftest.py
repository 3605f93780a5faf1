"""The fault-injection suite kills and freezes processes of a stack of its own: several minutes,
so it runs with `make test-faults` (AIGUILLAGE_TEST_FAULTS=1), not in the default run."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    if os.environ.get("AIGUILLAGE_TEST_FAULTS") == "1":
        return
    skip = pytest.mark.skip(reason="fault-injection suite (several minutes): make test-faults")
    for item in items:
        if "faults" in item.keywords and HERE in Path(str(item.fspath)).parents:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def fault_stack(model, tmp_path_factory):
    from tests.faults.harness import start_fault_stack

    stack = start_fault_stack(model, tmp_path_factory.mktemp("faults"))
    yield stack
    stack.stop()
