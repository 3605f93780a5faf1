"""No data file repeats a key in one mapping: `yaml.safe_load` silently keeps the last one, so a
merge that gives a rule two `sauf:` lists drops the first without any error (it happened twice in
knowledge/data/signs.yaml)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*ROOT.glob("knowledge/data/**/*.yaml"), *ROOT.glob("tests/knowledge/*.yaml"),
                *ROOT.glob("nlu/data/*.yml"), *ROOT.glob("bot/data/*.yml"), ROOT / "domain.yml",
                ROOT / "config.yml"])


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses a key repeated in one mapping."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
    repeated = sorted({str(k) for k in keys if keys.count(k) > 1})
    if repeated:
        raise yaml.constructor.ConstructorError(
            None, None, f"clé répétée {repeated} dans une même table", node.start_mark)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def test_the_strict_loader_refuses_a_repeated_key():
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.load("id: a\nsauf: [x]\nsauf: [y]\n", Loader=_StrictLoader)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_key_is_repeated_in_a_mapping(path):
    assert yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader) is not None
