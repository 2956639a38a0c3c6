"""Every chapter has an up-to-date text form in notebooks/text/ (`make pair`)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

import pair_notebooks  # noqa: E402


def test_text_forms_match_the_notebooks():
    problems = pair_notebooks.stale()
    assert not problems, "\n".join(problems) + "\nrun `make pair`"


def test_a_text_form_holds_prose_and_code_but_no_outputs():
    text = pair_notebooks.text_form(pair_notebooks.NOTEBOOKS / "05_setting_up.ipynb")
    assert "# %% [markdown]" in text and "# # Setting up" in text
    assert "execution_count" not in text and '"outputs"' not in text
