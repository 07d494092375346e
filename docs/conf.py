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
    (r"py:.*", r"servicescore\.learn\..*|LinearModel|ModelFormatError"),
]
html_theme = "furo"
myst_heading_anchors = 3


def _factory_defaults(app, what, name, obj, options, signature, return_annotation):  # type: ignore[no-untyped-def]
    """Show attrs' ``NOTHING`` (a default made by a factory) as ``<factory>``, as dataclasses do."""
    if signature and "NOTHING" in signature:
        signature = signature.replace("= NOTHING", "= <factory>").replace("=NOTHING", "=<factory>")
    return signature, return_annotation


def setup(app):  # type: ignore[no-untyped-def]
    """Register the signature hook."""
    app.connect("autodoc-process-signature", _factory_defaults)
