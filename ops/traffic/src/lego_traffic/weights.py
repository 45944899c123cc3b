"""Weights of the two colours and the green-percent shorthand operators type."""

from __future__ import annotations

from dataclasses import dataclass

from lego_traffic.errors import InputError

MAX_WEIGHT = 255  # Route53 WeightedRoutingPolicy range 0..255


@dataclass(frozen=True)
class Weights:
    """Route53 weights of the blue (legacy) and green (this API) records."""

    blue: int
    green: int

    @classmethod
    def checked(cls, blue: int, green: int) -> Weights:
        """Weights an operator asked for: 0..255 each, not both 0. (What Route53 holds is read
        as it is, so a rollback still works when someone left both at 0.)"""
        for colour, value in (("blue", blue), ("green", green)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise InputError(f"{colour} weight must be a whole number, got {value!r}")
            if not 0 <= value <= MAX_WEIGHT:
                raise InputError(f"{colour} weight must be between 0 and {MAX_WEIGHT}, got {value}")
        if blue == 0 and green == 0:
            # Route53 splits evenly when every weight is 0: never what an operator means.
            raise InputError(
                "blue and green weights must not both be 0 (Route53 would split 50/50)"
            )
        return cls(blue=blue, green=green)

    @classmethod
    def from_green_pct(cls, pct: int) -> Weights:
        """Weights that send `pct` % of traffic to green (blue 100 - pct, green pct)."""
        if isinstance(pct, bool) or not isinstance(pct, int) or not 0 <= pct <= 100:
            raise InputError(f"green percent must be a whole number between 0 and 100, got {pct!r}")
        return cls.checked(blue=100 - pct, green=pct)

    @property
    def green_pct(self) -> float:
        total = self.blue + self.green
        return 50.0 if total == 0 else round(100.0 * self.green / total, 1)

    def to_dict(self) -> dict[str, int]:
        return {"blue": self.blue, "green": self.green}

    def __str__(self) -> str:
        return f"blue {self.blue} / green {self.green} ({self.green_pct:g} % green)"


ALL_BLUE = Weights(blue=100, green=0)


def parse_weights(text: str) -> Weights:
    """Parse `BLUE:GREEN` raw weights, e.g. `90:10`."""
    blue, sep, green = text.partition(":")
    if not sep:
        raise InputError(f"weights must look like BLUE:GREEN (e.g. 90:10), got {text!r}")
    try:
        return Weights.checked(blue=int(blue), green=int(green))
    except ValueError:
        raise InputError(f"weights must be whole numbers BLUE:GREEN, got {text!r}") from None
