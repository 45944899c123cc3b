"""lego_devstack.applied_env: the block sees the values set and the unset keys gone; after it,
every key is as it was."""

from __future__ import annotations

import os

import pytest

from lego_devstack import applied_env


def test_values_and_unset_keys_hold_only_inside_the_block(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEGO_T_KEPT", "before")
    monkeypatch.setenv("LEGO_T_REMOVED", "there")
    monkeypatch.delenv("LEGO_T_NEW", raising=False)
    with applied_env(
        {"LEGO_T_KEPT": "inside", "LEGO_T_NEW": "new"}, unset=["LEGO_T_REMOVED"], reset=False
    ):
        assert os.environ["LEGO_T_KEPT"] == "inside"
        assert os.environ["LEGO_T_NEW"] == "new"
        assert "LEGO_T_REMOVED" not in os.environ

    assert os.environ["LEGO_T_KEPT"] == "before"
    assert "LEGO_T_NEW" not in os.environ
    assert os.environ["LEGO_T_REMOVED"] == "there"


def test_a_key_set_inside_the_block_to_an_unset_key_is_removed_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LEGO_T_POOL", raising=False)
    with applied_env({}, unset=["LEGO_T_POOL"], reset=False):
        os.environ["LEGO_T_POOL"] = "made inside"  # as bench_profile's pool id
    assert "LEGO_T_POOL" not in os.environ
