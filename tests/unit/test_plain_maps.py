"""A stored map as a plain dict, in one place: ``cme.platform.models.plain``
(docs/architecture.md "One place for each fact"). PynamoDB hands a ``MapAttribute`` for an item
read from the table and the dict itself for one made in code; board ids and evaluation answers
are read both ways."""

from __future__ import annotations

import ast
from pathlib import Path

from pynamodb.attributes import MapAttribute

from cme.platform.models import Claim, plain

LAYER = Path(__file__).resolve().parents[2] / "layers" / "common" / "cme"


def test_a_map_attribute_a_dict_and_none_are_each_a_plain_dict() -> None:
    stored = Claim.from_raw_data(
        {
            "learner_id": {"S": "L1"},
            "activity_id": {"S": "A1"},
            "board_ids": {"M": {"ABIM": {"S": "123456"}}},
            "evaluation": {"M": {"rate": {"N": "4"}, "why": {"S": "clear"}}},
        }
    )
    assert type(plain(stored.board_ids)) is dict and plain(stored.board_ids) == {"ABIM": "123456"}
    assert plain(stored.evaluation) == {"rate": 4, "why": "clear"}
    assert plain(MapAttribute(ABA="9")) == {"ABA": "9"}
    made = {"ABIM": "1"}
    copy = plain(made)
    assert copy == made and copy is not made  # a copy: the caller may add to it (claims.reporting does)
    assert plain(None) == {}


def test_only_models_asks_whether_a_value_is_a_map_attribute() -> None:
    """No module of the layer but cme/platform/models/base.py tells a MapAttribute from a dict itself."""
    asking = []
    for path in sorted(LAYER.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "hasattr"
                and any(isinstance(arg, ast.Constant) and arg.value == "as_dict" for arg in node.args)
            ):
                asking.append(f"{path.relative_to(LAYER)}:{node.lineno}")
    assert [place.split(":")[0] for place in asking] == ["platform/models/base.py"], asking
