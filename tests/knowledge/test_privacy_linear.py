"""The masking patterns are linear-time: adversarial 100 kB inputs are masked within a budget."""
import time

import pytest

from knowledge.privacy import mask, mask_log_text

SIZE = 100_000
BUDGET_S = 1.0  # CPU seconds for one call on 100 kB (the former e-mail pattern took 17 s)

SHAPES = [
    "a%", "a.", "a@", "@a.", "a.a@", "x@y.", "a-", "-a", "0", "1 ", "06 ", "+33 ", "1.", "1/",
    "1234567890", "12 03 ", "Mme ", "Mme A", "A ", "AB ", "Odette ", "Jean-", "de ", "et A ", "A, ",
    "chez les ", "rue ", "12 rue A ", "lieu-dit A ", "bât ", "né le ", "DDN 1/1/", "IPP ", "IPP a ",
    "n° 1", "\\u00e9", "\\ud83d", "[nom] ", "(at)", "2A", "1 2A ",
]


@pytest.mark.parametrize("unit", SHAPES)
def test_adversarial_input_is_masked_in_linear_time(unit):
    text = unit * (SIZE // len(unit))
    elapsed = []
    for _ in range(2):  # best of two: a shared machine only ever adds time
        t0 = time.process_time()
        out = mask(text)
        elapsed.append(time.process_time() - t0)
        if elapsed[-1] < BUDGET_S:
            break
    assert isinstance(out, str)
    assert min(elapsed) < BUDGET_S, f"{unit!r}: {min(elapsed):.2f} s"


def test_log_path_is_linear_too():
    text = "n\\u00e9e le " * (SIZE // 11)
    t0 = time.process_time()
    mask_log_text(text)
    assert time.process_time() - t0 < BUDGET_S


def test_time_grows_linearly_with_size():
    unit = "a.a@b "
    small, big = unit * 4000, unit * 16000

    def cpu(text: str) -> float:   # best of three: a busy machine adds noise, never speed
        best = float("inf")
        for _ in range(3):
            t0 = time.process_time()
            mask(text)
            best = min(best, time.process_time() - t0)
        return best

    t_small, t_big = cpu(small), cpu(big)
    assert t_big < 8 * t_small + 0.05  # 4x the size: quadratic would be 16x
