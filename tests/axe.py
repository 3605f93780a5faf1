"""Accessibility check with axe-core (npm, injected by Selenium): WCAG 2.1 A/AA rules."""
from __future__ import annotations

import pytest

from tests.npm_fixtures import npm_file

SERIOUS = ("serious", "critical")


def axe_source() -> str:
    path = npm_file("axe-core", "axe.min.js")
    if isinstance(path, str):
        pytest.skip(path)
    return path.read_text(encoding="utf-8")


def axe_violations(driver, impacts=SERIOUS) -> list[dict]:
    """Violations of the current page with one of `impacts` (injection ignores the page's CSP)."""
    if not driver.execute_script("return !!window.axe"):
        driver.execute_script(axe_source())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        ".then(r => done(r.violations)).catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));")
    return [v for v in result if v.get("impact") in impacts]


def describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} -> "
                     + "; ".join(n.get("html", "")[:120] for n in v.get("nodes", [])[:3])
                     for v in violations)
