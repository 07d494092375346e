"""Sphinx configuration."""

from importlib.metadata import version as _version

project = "servicescore"
author = "servicescore developers"
release = _version("servicescore")
extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]
napoleon_google_docstring = True
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
nitpick_ignore_regex = [
    (r"py:.*", r"(attrs|_io|io|typing|os|datetime|pathlib|numpy|pandas|collections\.abc)\..*"),
    (r"py:.*", r"(IO|Any|Source|OnError|Iterator|Iterable|Mapping|Literal)"),
]
html_theme = "furo"
myst_heading_anchors = 3
