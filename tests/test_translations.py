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


def test_a_glued_phrase_may_be_quoted_by_its_chinese_twin():
    english = "The gap is {glue:text}`verdict` the spread ({glue:text}`gap:.2f`)."
    chinese = "差距{glue:text}`verdict_zh`种子间的波动（{glue:text}`gap:.2f`）。"
    assert i18n.markup_difference(english, chinese) == ""
    other = "差距{glue:text}`other_zh`种子间的波动（{glue:text}`gap:.2f`）。"
    assert "verdict" in i18n.markup_difference(english, other)


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


def test_a_chinese_notebook_keeps_every_code_cell_and_output(tmp_path, monkeypatch):
    english = {
        "cells": [
            {
                "cell_type": "markdown",
                "metadata": {},
                "source": ["# A title\n", "\n", "Text."],
            },
            {
                "cell_type": "code",
                "metadata": {"tags": ["remove-cell"]},
                "execution_count": 1,
                "source": ["print('A title')"],
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": ["A title\n"]}
                ],
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "99_made_up.ipynb"
    path.write_text(i18n.json.dumps(english), encoding="utf-8")
    monkeypatch.setattr(i18n, "_table", lambda doc: {"A title": "标题", "Text.": "文字。"})
    chinese = i18n.json.loads(i18n.chinese_notebook(path))
    assert "".join(chinese["cells"][0]["source"]) == "# 标题\n\n文字。"
    assert chinese["cells"][1] == english["cells"][1]


def test_the_stored_chinese_notebooks_share_code_and_outputs_with_the_english():
    root = Path(__file__).resolve().parent.parent
    chinese = sorted((root / "zh" / "notebooks").glob("*.ipynb"))
    if not chinese:
        return  # no Chinese edition yet
    english = sorted((root / "notebooks").glob("*.ipynb"))
    assert [p.name for p in chinese] == [p.name for p in english]
    for zh_path, en_path in zip(chinese, english, strict=True):
        zh_nb = i18n.json.loads(zh_path.read_text(encoding="utf-8"))
        en_nb = i18n.json.loads(en_path.read_text(encoding="utf-8"))
        assert len(zh_nb["cells"]) == len(en_nb["cells"]), zh_path.name
        for zh_cell, en_cell in zip(zh_nb["cells"], en_nb["cells"], strict=True):
            if en_cell["cell_type"] != "markdown":
                assert zh_cell == en_cell, f"{zh_path.name}: a code cell differs"


def test_display_math_is_recognised_and_prose_is_not():
    assert i18n.is_display_math(
        "\n\\begin{aligned}\nf_t &= \\sigma(a) &&\\text{forget gate}\n\\end{aligned}\n"
    )
    assert not i18n.is_display_math("At step $t$ the LSTM reads $x_t$.")


def _glued_names(notebook: Path) -> set[str]:
    names = set()
    for cell in i18n.json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook")
            if scrapbook:
                names.add(scrapbook["name"])
    return names


def test_a_glued_phrase_with_a_chinese_twin_is_quoted_by_it():
    root = Path(__file__).resolve().parent.parent
    catalogues = i18n.catalogues() if i18n.CATALOGS.is_dir() else {}
    wrong = []
    for doc, po in catalogues.items():
        notebook = root / f"{doc}.ipynb"
        if not notebook.exists():
            continue
        names = _glued_names(notebook)
        for entry in po:
            for name in i18n.re.findall(r"\{glue:text\}`([\w.-]+)", entry.msgstr):
                if f"{name}_zh" in names:
                    wrong.append(f"{doc}: {{glue:text}}`{name}` has a Chinese twin")
    assert not wrong, wrong
