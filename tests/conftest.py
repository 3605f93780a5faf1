"""Fixtures shared by every test folder."""
from __future__ import annotations

import pytest

from knowledge.directory import Directory


@pytest.fixture(scope="session")
def sample_directory_url(tmp_path_factory) -> str:
    """The shipped sample directory (knowledge/data/directory) loaded into a temporary SQLite file."""
    url = f"sqlite:///{tmp_path_factory.mktemp('directory') / 'aiguillage.db'}"
    Directory(url).load()
    return url
