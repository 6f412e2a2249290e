"""The Jinja2 environment of the HTML report: templates and the CSS file in `templates/`,
autoescape on (every value from the marts is data, never markup), and the shared formatters
as filters."""

from __future__ import annotations

import functools

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from zielmonitor.report import format as fmt


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("zielmonitor.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,  # a typo in a template fails instead of printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["zahl"] = fmt.zahl
    env.globals.update(
        MONATSNAMEN=fmt.MONATSNAMEN,
        MONAT_KURZ=fmt.MONAT_KURZ,
        STATUS_LABEL=fmt.STATUS_LABEL,
        VORLAEUFIG=fmt.VORLAEUFIG,
    )
    return env


def css() -> Markup:
    """The stylesheet, inlined into the page's <style> (the file must open offline). It is
    our own file, not data: marked safe so quotes in font names stay as written."""
    source, _, _ = environment().loader.get_source(environment(), "report.css")
    return Markup(source)
