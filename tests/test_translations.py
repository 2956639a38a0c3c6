"""The Chinese edition's machinery: markup kept message by message, notebooks translated.

``make translations-check`` runs the full check against freshly extracted English
messages; these tests hold the pieces it is made of, on small made-up text.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

import i18n  # noqa: E402


def test_markup_collects_roles_math_code_links_and_substitutions():
    found = i18n.markup(
        "See {ref}`the set-up <ch-setup>` and {glue:text}`mae_lstm`: $h_t$ is "
        "`(batch, time)`, [docs](https://example.org) {{ version }}"
    )
    assert found == {
        "{ref}`ch-setup`": 1,
        "{glue:text}`mae_lstm`": 1,
        "$h_t$": 1,
        "`(batch, time)`": 1,
        "link:https://example.org": 1,
        "{{ version }}": 1,
    }


def test_a_translation_may_reword_but_must_keep_the_markup():
    english = "The {term}`forget gate` $f_t$ scales `c` ({ref}`ch-gate-maths`)."
    good = "{term}`遗忘门 <forget gate>` $f_t$ 缩放 `c`（{ref}`门 <ch-gate-maths>`）。"
    assert i18n.markup_difference(english, good) == ""
    lost_math = "{term}`遗忘门 <forget gate>` 缩放 `c`（{ref}`ch-gate-maths`）。"
    assert "$f_t$" in i18n.markup_difference(english, lost_math)
    wrong_target = "{term}`遗忘门` $f_t$ 缩放 `c`（{ref}`ch-gate-maths`）。"
    assert "forget gate" in i18n.markup_difference(english, wrong_target)


def test_markdown_is_translated_block_by_block_with_its_markers_kept():
    source = "\n".join(
        [
            "(ch-x)=",
            "# A title",
            "",
            "A paragraph that runs",
            "over two lines.",
            "",
            "- an item",
            "- another item",
            "",
            "| a | b |",
            "|---|---|",
            "| left | right |",
            "",
            "````{exercise} ★ · 5 min · Try it",
            ":label: ex-x",
            "",
            "Do the thing.",
            "````",
            "",
            "```python",
            "x = 1  # code stays",
            "```",
        ]
    )
    table = {
        "A title": "标题",
        "A paragraph that runs over two lines.": "一段跨两行的文字。",
        "an item": "一项",
        "left": "左",
        "★ · 5 min · Try it": "★ · 5 分钟 · 试一试",
        "Do the thing.": "做这件事。",
    }
    out = i18n.translate_markdown(source, table).split("\n")
    assert out[:5] == ["(ch-x)=", "# 标题", "", "一段跨两行的文字。", ""]
    assert out[5:7] == ["- 一项", "- another item"]
    assert "| 左 | right |" in out
    assert "````{exercise} ★ · 5 分钟 · 试一试" in out
    assert ":label: ex-x" in out and "做这件事。" in out
    assert "x = 1  # code stays" in out
