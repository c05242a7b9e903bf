"""The pages' Jinja environment: the project's templates, GOV.UK Frontend's component macros
(the ``govuk-frontend-jinja`` package, whose templates are named ``govuk_frontend_jinja/...``),
interface text through openbook.web.pages.i18n, and the filters the templates share."""

from datetime import date, datetime
from urllib.parse import urlencode

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    Undefined,
)

from openbook.web.pages import i18n
from openbook.web.pages.formats import day, moment, money, number

TEMPLATES = i18n.CATALOGUE_DIR.parent / "templates"


def environment(**options) -> Environment:
    """Made by Django's Jinja2 backend (settings.TEMPLATES)."""
    options.pop("loader", None)
    # GOV.UK Frontend's macros read optional parameters that are absent: lenient undefined.
    options["undefined"] = Undefined
    options.pop("autoescape", None)
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(TEMPLATES),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        extensions=["jinja2.ext.i18n"],
        autoescape=True,
        **options,
    )
    env.install_gettext_callables(i18n.template_gettext, i18n.template_ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(money=money, number=number, day=day, moment=moment, query=query_string)
    env.globals.update(languages=i18n.LANGUAGES, localised=i18n.localised)
    return env


def query_string(values: dict, **changes: object) -> str:
    """``?...`` of ``values`` with ``changes`` (None removes a key): links to the same search
    with one thing changed."""
    merged = {**values, **changes}
    pairs = []
    for key, value in merged.items():
        if value is None or value in ("", []):
            continue
        if isinstance(value, list | tuple):
            pairs += [(key, str(item)) for item in value]
        elif isinstance(value, date | datetime):
            pairs.append((key, value.isoformat()))
        else:
            pairs.append((key, str(value)))
    return "?" + urlencode(pairs) if pairs else "?"
