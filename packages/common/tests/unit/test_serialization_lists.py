"""serialization.dumps on lists of pydantic models: the fast path gives the same JSON."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from lego_common.serialization import dumps
from lego_common.validation import OutputModel


class Thing(OutputModel):
    thing_id: uuid.UUID
    made_at: datetime
    tags: list[str]


class Other(OutputModel):
    name: str


def test_dumps_list_of_models_matches_per_item_encoding_with_aliases() -> None:
    at = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    things = [Thing(thing_id=uuid.uuid4(), made_at=at, tags=["a"]) for _ in range(3)]
    expected = [json.loads(t.model_dump_json(by_alias=True)) for t in things]
    assert json.loads(dumps(things)) == expected
    assert '"thingId"' in dumps(things)


def test_dumps_mixed_list_falls_back_to_the_general_encoder() -> None:
    at = datetime(2024, 1, 2, tzinfo=UTC)
    mixed = [Other(name="x"), Thing(thing_id=uuid.UUID(int=1), made_at=at, tags=[]), 3]
    assert json.loads(dumps(mixed))[0] == {"name": "x"}
    assert json.loads(dumps(mixed))[2] == 3


class Part(OutputModel):
    part_name: str
    color: str | None = None


class Assembly(OutputModel):
    title: str
    thumbnail_url: str | None
    parts: list[Part]


def test_dumps_omits_unset_fields_of_a_model_and_its_nested_models() -> None:
    assembly = Assembly(title="t", thumbnail_url=None, parts=[Part(part_name="p")])
    assert dumps(assembly) == '{"title":"t","parts":[{"partName":"p"}]}'


def test_dumps_omits_unset_fields_on_the_list_fast_path_and_the_general_encoder() -> None:
    parts = [Part(part_name="a"), Part(part_name="b", color="Red")]
    assert json.loads(dumps(parts)) == [{"partName": "a"}, {"partName": "b", "color": "Red"}]
    assert json.loads(dumps({"data": parts})) == {"data": json.loads(dumps(parts))}


def test_dumps_keeps_values_that_are_set_but_falsy() -> None:
    assert dumps(Part(part_name="", color="")) == '{"partName":"","color":""}'
