"""The authoring blocks: what lesson bodies include and what the editor accepts."""

import pytest
from django.core.exceptions import ValidationError

from content.blocks import ACTIVITY_BLOCKS, ActivityBlock


def test_activity_blocks_are_named_pairs_with_editor_metadata():
    names = [name for name, _block in ACTIVITY_BLOCKS]
    assert names == [
        "single_choice",
        "multiple_choice",
        "true_false",
        "fill_blanks",
        "matching",
        "ordering",
        "free_text",
        "self_reflection",
    ]
    for _name, block in ACTIVITY_BLOCKS:
        assert block.meta.icon and block.meta.template and block.meta.description
        preview = block.get_preview_value()
        assert block.clean(block.to_python(block.get_prep_value(preview)))


def test_scored_blocks_share_the_activity_base_and_reflection_does_not():
    blocks = dict(ACTIVITY_BLOCKS)
    assert all(isinstance(blocks[name], ActivityBlock) for name in blocks if name != "self_reflection")
    assert not isinstance(blocks["self_reflection"], ActivityBlock)


def _options(*correct_flags):
    return [{"text": f"Opción {i}", "correct": flag, "feedback": ""} for i, flag in enumerate(correct_flags)]


def test_single_choice_needs_exactly_one_correct_option():
    block = dict(ACTIVITY_BLOCKS)["single_choice"]
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"prompt": "¿?", "options": _options(True, True)}))
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"prompt": "¿?", "options": _options(False, False)}))
    assert block.clean(block.to_python({"prompt": "¿?", "options": _options(False, True)}))


def test_fill_blanks_needs_a_marked_blank():
    block = dict(ACTIVITY_BLOCKS)["fill_blanks"]
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"prompt": "Completa", "text": "Sin espacios"}))


def test_authored_value_becomes_plain_xblock_fields():
    block = dict(ACTIVITY_BLOCKS)["free_text"]
    value = block.to_python(
        {
            "prompt": "Describe",
            "max_attempts": 2,
            "weight": "1.5",
            "rubric": [{"criterion": "Claridad", "description": "", "levels": [{"label": "Logrado", "points": 2}]}],
        }
    )
    fields = value.xblock_fields()
    assert fields["weight"] == 1.5
    assert fields["rubric"] == [
        {"criterion": "Claridad", "description": "", "levels": [{"label": "Logrado", "points": 2}]}
    ]
