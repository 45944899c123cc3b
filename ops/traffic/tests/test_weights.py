from __future__ import annotations

import pytest

from lego_traffic.errors import InputError
from lego_traffic.weights import Weights, parse_weights


@pytest.mark.parametrize(("pct", "blue", "green"), [(0, 100, 0), (10, 90, 10), (100, 0, 100)])
def test_from_green_pct_splits_a_hundred(pct: int, blue: int, green: int) -> None:
    assert Weights.from_green_pct(pct) == Weights(blue=blue, green=green)


@pytest.mark.parametrize("pct", [-1, 101, 12.5, True])
def test_from_green_pct_out_of_range_raises(pct: object) -> None:
    with pytest.raises(InputError, match="between 0 and 100"):
        Weights.from_green_pct(pct)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["256:0", "0:256", "-1:5"])
def test_parse_weights_out_of_range_raises(text: str) -> None:
    with pytest.raises(InputError, match="between 0 and 255"):
        parse_weights(text)


def test_parse_weights_both_zero_raises() -> None:
    with pytest.raises(InputError, match="must not both be 0"):
        parse_weights("0:0")


@pytest.mark.parametrize("text", ["90", "a:b", "90/10"])
def test_parse_weights_malformed_raises(text: str) -> None:
    with pytest.raises(InputError, match="BLUE:GREEN"):
        parse_weights(text)


def test_green_pct_uses_weight_over_sum() -> None:
    assert Weights(blue=200, green=55).green_pct == 21.6
