"""The Chinese edition, built from the same notebooks with Sphinx's gettext workflow.

The English text lives in the notebooks and ``book/*.md``; its Chinese translation in
``locale/zh_CN/LC_MESSAGES/**/*.po``, one message per paragraph, heading, list item
or table cell. Usage (``make translations``, ``make html``, ``make test`` call these)::

    python tools/i18n.py update     # extract messages, update the .po files, coverage
    python tools/i18n.py check      # in step with the English, all translated, none
                                    # fuzzy or obsolete, markup kept, notebooks in sync
    python tools/i18n.py notebooks  # zh/notebooks/*.ipynb: Markdown translated
    python tools/i18n.py notebooks --check
    python tools/i18n.py html       # the Chinese site in _build/html/zh (-W)

The API reference (``book/api``) is generated from seqlib's docstrings and stays in
English in both editions.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE = "zh_CN"
LOCALE = ROOT / "locale"
CATALOGS = LOCALE / LANGUAGE / "LC_MESSAGES"
BUILD = ROOT / "_build"
CONF_DIR = BUILD / "i18n"
POT_DIR = BUILD / "gettext"
HTML_ZH = BUILD / "html" / "zh"
# Built apart, then copied into the English site: MyST-NB writes its working files
# beside the output folder, which would otherwise be inside the English site.
HTML_ZH_BUILD = BUILD / "zh" / "html"
ZH_NOTEBOOKS = ROOT / "zh" / "notebooks"
UNTRANSLATED_DOCS = {"book/api"}  # generated from docstrings: English in both editions
BIN = Path(sys.executable).parent
#: A docutils report (such as an INFO about a duplicate target) caught as a message.
SYSTEM_MESSAGE = re.compile(r'^msgid "\S+:\d+: \((DEBUG|INFO|WARNING|ERROR|SEVERE)/\d\)')

# ---------------------------------------------------------------------------
# Sphinx configuration and builds


def write_conf() -> Path:
    """``_build/i18n/conf.py``: _config.yml as Sphinx sees it, usable from that folder."""
    CONF_DIR.mkdir(parents=True, exist_ok=True)
    generated = ROOT / "conf.py"
    subprocess.run(
        [str(BIN / "jupyter-book"), "config", "sphinx", str(ROOT)],
        check=True,
        capture_output=True,
    )
    text = generated.read_text(encoding="utf-8")
    generated.unlink()
    # Paths Sphinx reads relative to the configuration folder, made absolute.
    text = re.sub(
        r"^bibtex_bibfiles = \[(.*)\]$",
        lambda m: (
            "bibtex_bibfiles = ["
            + ", ".join(repr(str(ROOT / p.strip(" '\""))) for p in m.group(1).split(","))
            + "]"
        ),
        text,
        flags=re.M,
    )
    text += f"""
# Added by tools/i18n.py for the Chinese edition and the message catalogues.
html_static_path = [{str(ROOT / "_static")!r}]
locale_dirs = [{str(LOCALE)!r}]
gettext_compact = False
gettext_uuid = False
gettext_location = False
html_search_options = {{"dict": {str(CONF_DIR / "search_words.txt")!r}}}
import sys as _sys
_sys.path.insert(0, {str(ROOT / "tools")!r})
extensions.append("i18n_sphinx")  # glue in translated messages, part captions
"""
    (CONF_DIR / "conf.py").write_text(text, encoding="utf-8")
    return CONF_DIR


def _sphinx(builder: str, out: Path, *options: str) -> None:
    write_conf()
    doctrees = BUILD / f"doctrees-{builder}-{out.name}"
    command = [
        str(BIN / "sphinx-build"),
        "-b",
        builder,
        "-c",
        str(CONF_DIR),
        "-d",
        str(doctrees),
    ]
    command += [*options, str(ROOT), str(out)]
    subprocess.run(command, check=True, cwd=ROOT)


def extract() -> None:
    """The English messages, one .pot file per page, in _build/gettext."""
    if POT_DIR.exists():
        shutil.rmtree(POT_DIR)
    _sphinx("gettext", POT_DIR, "-q", "-E")
    for doc in UNTRANSLATED_DOCS:
        (POT_DIR / f"{doc}.pot").unlink(missing_ok=True)
    reports = [
        line
        for pot in sorted(POT_DIR.rglob("*.pot"))
        for line in pot.read_text(encoding="utf-8").splitlines()
        if SYSTEM_MESSAGE.match(line)
    ]
    if reports:  # docutils' own reports on the source, not prose: fix the source
        raise SystemExit(
            "the English source has problems docutils reports:\n" + "\n".join(reports)
        )


def update() -> None:
    """Extract the English messages and merge them into the .po files."""
    extract()
    subprocess.run(
        [
            str(BIN / "sphinx-intl"),
            "update",
            "-p",
            str(POT_DIR),
            "-l",
            LANGUAGE,
            "-d",
            str(LOCALE),
            "-w",
            "0",
        ],  # fmt: skip
        check=True,
        capture_output=True,
    )
    import polib

    wanted = {p.relative_to(POT_DIR).with_suffix(".po") for p in POT_DIR.rglob("*.pot")}
    for po_path in sorted(CATALOGS.rglob("*.po")):
        if po_path.relative_to(CATALOGS) not in wanted:
            po_path.unlink()  # its page is gone
            continue
        po = polib.pofile(str(po_path), wrapwidth=0)
        for entry in po.obsolete_entries():
            po.remove(entry)
        po.save(str(po_path))
        po_path.with_suffix(".mo").unlink(missing_ok=True)
    total, done = coverage()
    print(f"{done} of {total} messages translated ({100 * done / max(total, 1):.1f} %)")


def catalogues() -> dict[str, object]:
    """Each document's .po file, by document name (``notebooks/01_sequences_and_rnns``)."""
    import polib

    return {
        str(p.relative_to(CATALOGS).with_suffix("")): polib.pofile(str(p), wrapwidth=0)
        for p in sorted(CATALOGS.rglob("*.po"))
    }


def coverage() -> tuple[int, int]:
    total = done = 0
    for po in catalogues().values():
        entries = [e for e in po if not e.obsolete]
        total += len(entries)
        done += sum(1 for e in entries if e.msgstr and "fuzzy" not in e.flags)
    return total, done


def chinese_title() -> str:
    """The book's title (``_config.yml``) as the preface's catalogue translates it."""
    import yaml

    title = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]
    for po in catalogues().values():
        for entry in po:
            if entry.msgid == title and entry.msgstr and "fuzzy" not in entry.flags:
                return entry.msgstr
    return title


def html() -> None:
    """The Chinese site, in _build/html/zh, with the Chinese notebooks as downloads."""
    search_words()
    _sphinx(
        "html",
        HTML_ZH_BUILD,
        "-D",
        f"html_title={chinese_title()}",
        "-W",
        "-n",
        "--keep-going",
        "-q",
        "-D",
        f"language={LANGUAGE}",
        "-D",
        "html_theme_options.search_bar_text=搜索本书……",
        "-D",
        "html_theme_options.path_to_docs=zh",  # Colab and downloads: the Chinese notebooks
    )
    sources = HTML_ZH_BUILD / "_sources" / "notebooks"
    for path in ZH_NOTEBOOKS.glob("*.ipynb"):
        if (sources / path.name).exists():
            shutil.copyfile(path, sources / path.name)
    if HTML_ZH.exists():
        shutil.rmtree(HTML_ZH)
    shutil.copytree(HTML_ZH_BUILD, HTML_ZH)
    shutil.rmtree(HTML_ZH.parent / "jupyter_execute", ignore_errors=True)  # older layout
    for site in (HTML_ZH.parent, HTML_ZH):  # both editions now link to each other
        (site / "_static" / "editions.js").write_text(
            'window.seqlibEditions = ["en", "zh_CN"];\n', encoding="utf-8"
        )


def search_words() -> None:
    """The glossary's Chinese terms, as whole words for the search index (jieba)."""
    CONF_DIR.mkdir(parents=True, exist_ok=True)
    glossary = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    terms = set(re.findall(r"（?\(([^()]*[\u4e00-\u9fff][^()]*)\)", glossary))
    words = set()
    for group in terms:
        for word in re.split(r"[,，、/ ]+", group):
            if re.fullmatch(r"[\u4e00-\u9fff]{2,}", word):
                words.add(word)
    lines = sorted(f"{w} 100000 n" for w in words)
    (CONF_DIR / "search_words.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------
# Checks: every message translated, and translated with its markup intact

ROLE = re.compile(r"\{([a-z][\w:+-]*)\}`([^`]*)`")
MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$", re.S)
CODE = re.compile(r"``(.+?)``|`([^`]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)|<(https?://[^>\s]+)>")
SUBSTITUTION = re.compile(r"\{\{\s*[\w.-]+\s*\}\}")


def markup(message: str) -> Counter:
    """What a translation must keep: roles and targets, math, code, links, substitutions.

    A glued value that is an English phrase has a Chinese twin (``seqlib.report.glue``'s
    ``zh``): ``{glue:text}`verdict_zh``` in a translation stands for ``verdict``.
    """
    found: Counter = Counter()
    rest = message
    for name, content in ROLE.findall(message):
        target = content
        explicit = re.fullmatch(r"(?s).*<([^<>]+)>", content)
        if explicit:  # `text <target>`: the text may be translated, not the target
            target = explicit.group(1)
        if name.startswith("glue"):  # a glued English phrase's Chinese twin, `name_zh`
            target = re.sub(r"_zh(?=:|$)", "", target)
        found[f"{{{name}}}`{target}`"] += 1
    rest = ROLE.sub(" ", rest)
    for span in MATH.findall(rest):
        found[span.strip()] += 1
    rest = MATH.sub(" ", rest)
    for double, single in CODE.findall(rest):
        found[f"`{double or single}`"] += 1
    for target, url in LINK.findall(rest):
        found[f"link:{target or url}"] += 1
    for sub in SUBSTITUTION.findall(rest):
        found[sub] += 1
    return found


def markup_difference(english: str, chinese: str) -> str:
    """What the translation lost or added of its message's markup; empty when none.

    A glossary link may name its term in Chinese, ``{term}`遗忘门 <forget gate>```.
    """
    want, have = markup(english), markup(chinese)
    if want == have:
        return ""
    lost, added = sorted((want - have).elements()), sorted((have - want).elements())
    return f"lost {lost}, added {added}"


def is_display_math(message: str) -> bool:
    """Whether a message is a display-math block (``$$ ... $$`` or an amsmath one).

    Sphinx extracts such a block as one message that begins with a line break, and
    cannot use a translation of it in a MyST document, so it is kept as it is.
    """
    return message.startswith("\n")


def problems() -> list[str]:
    """Untranslated, fuzzy or obsolete entries, and translations that lost markup."""
    out = []
    for doc, po in catalogues().items():
        for entry in po:
            where = f"{doc}.po:{entry.linenum}"
            if entry.obsolete:
                out.append(f"{where}: obsolete entry (run make translations)")
            elif "fuzzy" in entry.flags:
                out.append(f"{where}: fuzzy: the English changed, check the translation")
            elif not entry.msgstr:
                out.append(f"{where}: untranslated: {entry.msgid[:70]!r}")
            elif is_display_math(entry.msgid) and entry.msgstr != entry.msgid:
                out.append(
                    f"{where}: a display-math block must stay as it is (Sphinx re-parses "
                    "a translated one as a literal block), \\text{} labels included"
                )
            else:
                difference = markup_difference(entry.msgid, entry.msgstr)
                if difference:
                    out.append(f"{where}: markup differs: {difference}")
    return out


def out_of_step() -> list[str]:
    """English messages of _build/gettext that the .po files lack, or no longer need."""
    import polib

    out = []
    have = catalogues()
    for pot_path in sorted(POT_DIR.rglob("*.pot")):
        doc = str(pot_path.relative_to(POT_DIR).with_suffix(""))
        english = {e.msgid for e in polib.pofile(str(pot_path), wrapwidth=0) if e.msgid}
        po = have.pop(doc, None)
        if po is None:
            out.append(f"{doc}: no catalogue (run make translations)")
            continue
        translated = {e.msgid for e in po if not e.obsolete}
        for msgid in sorted(english - translated):
            out.append(f"{doc}: new or changed English: {msgid[:70]!r}")
        for msgid in sorted(translated - english):
            out.append(f"{doc}: the English no longer says: {msgid[:70]!r}")
    out += [f"{doc}: catalogue without a page" for doc in have]
    return out


# ---------------------------------------------------------------------------
# Chinese notebooks: the same cells, Markdown translated message by message

DIRECTIVE = re.compile(r"^(\s*)(`{3,}|:{3,})\{([\w:-]+)\}\s*(.*)$")


def _parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    return MarkdownIt("commonmark").enable("table").use(dollarmath_plugin)


def _key(text: str) -> str:
    return " ".join(text.split())


def translate_markdown(source: str, table: dict[str, str]) -> str:
    """``source`` with each paragraph, heading, item and table cell translated."""
    lines = source.split("\n")
    return "\n".join(_translate_lines(lines, table, _parser()))


def _translate_lines(lines: list[str], table: dict[str, str], md) -> list[str]:
    tokens = md.parse("\n".join(lines))
    out = list(lines)
    replaced: dict[int, list[str]] = {}
    for i, token in enumerate(tokens):
        if token.type == "inline" and token.map:
            start, end = token.map
            key = _key(token.content)
            if key not in table:
                continue
            if tokens[i - 1].type in ("th_open", "td_open"):
                line = out[start]
                out[start] = line.replace(token.content.strip(), table[key], 1)
                continue
            first = lines[start]
            indent = first[: len(first) - len(first.lstrip())]
            body = first.lstrip()
            if tokens[i - 1].type == "heading_open":
                prefix = indent + body[: len(body) - len(body.lstrip("#"))] + " "
            elif body.startswith(("- ", "* ", "+ ")) or re.match(r"\d+[.)] ", body):
                marker = re.match(r"([-*+]|\d+[.)]) +", body).group(0)
                prefix = indent + marker
            else:
                prefix = indent
            replaced[start] = [prefix + table[key]]
            for k in range(start + 1, end):
                replaced[k] = []
        elif token.type == "fence" and token.map:
            match = DIRECTIVE.match(lines[token.map[0]])
            if not match:
                continue
            start, end = token.map
            head = lines[start]
            argument = match.group(4).strip()
            if argument and _key(argument) in table:
                head = head[: head.rindex(argument)] + table[_key(argument)]
            body = lines[start + 1 : end - 1]
            options = 0
            while options < len(body) and re.match(r"\s*:[\w-]+:", body[options]):
                options += 1
            inner = _translate_lines(body[options:], table, md) if body[options:] else []
            replaced[start] = [head, *body[:options], *inner, lines[end - 1]]
            for k in range(start + 1, end):
                replaced[k] = []
    result = []
    for k, line in enumerate(out):
        result.extend(replaced.get(k, [line]))
    return result


def _table(doc: str) -> dict[str, str]:
    po = catalogues().get(doc)
    if po is None:
        return {}
    return {
        _key(e.msgid): e.msgstr
        for e in po
        if e.msgstr and not e.obsolete and "fuzzy" not in e.flags
    }


def chinese_notebook(path: Path) -> str:
    """The notebook at ``path`` with its Markdown cells in Chinese, as JSON text."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    table = _table(f"notebooks/{path.stem}")
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            text = translate_markdown("".join(cell["source"]), table)
            cell["source"] = text.splitlines(keepends=True)
    return json.dumps(nb, ensure_ascii=False, indent=1) + "\n"


def notebooks(check: bool) -> int:
    want = {
        ZH_NOTEBOOKS / p.name: chinese_notebook(p)
        for p in sorted((ROOT / "notebooks").glob("*.ipynb"))
    }
    if check:
        stale = [
            str(p.relative_to(ROOT))
            for p, text in want.items()
            if not p.exists() or p.read_text(encoding="utf-8") != text
        ]
        stale += [
            f"{p.relative_to(ROOT)} (no English notebook)"
            for p in ZH_NOTEBOOKS.glob("*.ipynb")
            if p not in want
        ]
        for name in stale:
            print(f"out of date: {name}", file=sys.stderr)
        if stale:
            print("run `make translations`", file=sys.stderr)
        return 1 if stale else 0
    ZH_NOTEBOOKS.mkdir(parents=True, exist_ok=True)
    for p in ZH_NOTEBOOKS.glob("*.ipynb"):
        if p not in want:
            p.unlink()
    for p, text in want.items():
        p.write_text(text, encoding="utf-8")
    print(f"wrote {len(want)} Chinese notebooks in {ZH_NOTEBOOKS.relative_to(ROOT)}/")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["update", "check", "notebooks", "html", "conf"])
    parser.add_argument("--check", action="store_true", help="notebooks: only compare")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if args.command == "conf":
        print(write_conf())
    elif args.command == "update":
        update()
        notebooks(check=False)
    elif args.command == "check":
        extract()
        found = problems() + out_of_step()
        if notebooks(check=True):
            found.append("zh/notebooks/ are out of date (run make translations)")
        for line in found:
            print(line, file=sys.stderr)
        total, done = coverage()
        print(f"{done} of {total} messages translated; {len(found)} problems")
        return 1 if found else 0
    elif args.command == "notebooks":
        return notebooks(args.check)
    elif args.command == "html":
        html()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
