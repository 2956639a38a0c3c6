"""seqlib.report reads other chapters' results and glued values, beside it or downloaded."""

import functools
import http.server
import json
import threading

import pytest

from seqlib import report


def _notebook(tmp_path, name="07_demo.ipynb"):
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {"tags": ["results"]},
                "outputs": [
                    {
                        "output_type": "stream",
                        "name": "stdout",
                        "text": [
                            '{"task": "demo", "metric": "mae", "split": "test", '
                            '"scores": {"naive": 2.5}}\n'
                        ],
                    }
                ],
                "source": "",
            },
            {
                "cell_type": "code",
                "metadata": {"tags": ["remove-cell"]},
                "outputs": [
                    {
                        "output_type": "display_data",
                        "metadata": {"scrapbook": {"name": "demo_mae"}},
                        "data": {"application/papermill.record/text/plain": "'2.50'"},
                    }
                ],
                "source": "",
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    folder = tmp_path / "notebooks"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(json.dumps(nb), encoding="utf-8")
    return folder


def test_results_and_glue_are_read_from_a_stored_notebook(tmp_path):
    folder = _notebook(tmp_path)
    found = report.stored_results("07_demo.ipynb", folder)
    assert found == {
        "demo": {"task": "demo", "metric": "mae", "split": "test", "scores": {"naive": 2.5}}
    }
    assert report.stored_glue("07_demo.ipynb", "demo_mae", folder) == "2.50"
    with pytest.raises(KeyError, match="glues no 'other'"):
        report.stored_glue("07_demo.ipynb", "other", folder)


def test_a_notebook_not_beside_this_one_is_downloaded(tmp_path):
    _notebook(tmp_path)  # served from tmp_path: /notebooks/07_demo.ipynb
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(tmp_path)
    )
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        empty = tmp_path / "elsewhere"
        empty.mkdir()
        found = report.stored_results("07_demo.ipynb", empty, base_url=base)
        assert found["demo"]["scores"] == {"naive": 2.5}
        with pytest.raises(FileNotFoundError, match="08_missing.ipynb is not in"):
            report.stored_results("08_missing.ipynb", empty, base_url=base)
    finally:
        server.shutdown()


def test_the_repository_address_comes_from_seqlibs_metadata():
    assert report._repository_files().startswith("https://raw.githubusercontent.com/")
    assert report._repository_files().endswith("/main")


@pytest.mark.parametrize("name", ["../x.ipynb", "x.txt", 3])
def test_a_bad_notebook_name_is_refused(name):
    with pytest.raises(ValueError, match="notebook must be a file name"):
        report.stored_notebook(name)


def test_glue_stores_a_phrase_and_its_chinese_twin(monkeypatch):
    import myst_nb

    stored = {}
    monkeypatch.setattr(
        myst_nb, "glue", lambda name, value, display=False: stored.update({name: value})
    )
    report.glue("verdict", "no larger than", zh="不大于")
    report.glue("mae", "2.50")
    assert stored == {"verdict": "no larger than", "verdict_zh": "不大于", "mae": "2.50"}


@pytest.mark.parametrize(
    "name, zh", [("verdict", ""), ("verdict", "  "), ("verdict_zh", "不大于")]
)
def test_glue_rejects_an_empty_or_doubled_chinese_twin(name, zh):
    with pytest.raises(ValueError, match="zh must be"):
        report.glue(name, "no larger than", zh=zh)
