"""Sphinx extension of the Chinese edition: what Sphinx's gettext does not reach.

``tools/i18n.py`` adds it to the configuration of the Chinese build (and of the
message extraction, where it changes nothing). It does two things.

**Glued values inside translated messages.** Sphinx parses each translated message
as a small document of its own, after the notebook itself has been parsed. MyST-NB's
glue roles look for the notebook's glued values on the document being parsed, so in
a translated message they find none ("No key ... found in glue data"). This
extension lets them fall back to the values stored in the notebook being read (the
same outputs the English page shows), so ``{glue:text}`name``` works the same in
both editions.

**The table of contents' part captions.** ``sphinx-external-toc`` inserts the
toctrees of ``_toc.yml`` after Sphinx has translated the page, so their captions
("Part I: ...") would stay English in the sidebar; they are translated here, from
the root page's catalogue, where the extraction put them.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import nbformat
from myst_nb.core.variables import RetrievalError, VariableOutput
from myst_nb.ext.glue import directives, extract_glue_data_cell, roles, utils
from sphinx import addnodes
from sphinx.locale import init as init_locale
from sphinx.util.i18n import docname_to_domain

_retrieve = utils.retrieve_glue_data


@lru_cache(maxsize=4)
def stored_glue(path: str, mtime: float) -> dict:
    """The glued values stored in the notebook at ``path``, by name."""
    notebook = nbformat.read(path, as_version=4)
    glued = {}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            glued.update(extract_glue_data_cell(cell))
    return glued


def retrieve_glue_data(document, key: str) -> VariableOutput:
    """MyST-NB's lookup, then, in a translated message, the notebook's stored values."""
    try:
        return _retrieve(document, key)
    except RetrievalError:
        env = getattr(document.settings, "env", None)
        if env is None or not str(document.current_source).endswith("<translated>"):
            raise
        path = Path(env.doc2path(env.docname))
        if path.suffix != ".ipynb":
            raise
        output = stored_glue(str(path), path.stat().st_mtime).get(key)
        if output is None:
            raise
        return VariableOutput(
            data=output["data"],
            metadata=output.get("metadata", {}),
            nb_renderer=None,
            vtype="glue",
        )


def translate_captions(app, doctree) -> None:
    """Translate the captions of the toctrees inserted from ``_toc.yml``."""
    config, env = app.config, app.env
    if not config.language or config.language == "en":
        return
    toctrees = [node for node in doctree.findall(addnodes.toctree) if node.get("caption")]
    if not toctrees:
        return
    domain = docname_to_domain(env.docname, config.gettext_compact)
    dirs = [os.path.join(env.srcdir, folder) for folder in config.locale_dirs]
    catalog, found = init_locale(dirs, config.language, domain)
    if found:
        for node in toctrees:
            node["caption"] = catalog.gettext(node["caption"])


def setup(app):
    roles.retrieve_glue_data = retrieve_glue_data
    directives.retrieve_glue_data = retrieve_glue_data
    app.connect("doctree-read", translate_captions, priority=400)  # before the toc
    return {"parallel_read_safe": True, "parallel_write_safe": True}
