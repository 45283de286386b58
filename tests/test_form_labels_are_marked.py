"""Every label a form shows is translated: each FlaskForm of djaboo, built inside a request,
has field labels and choice labels that French renders in French.

A label written as a plain str (or left to WTForms, which makes one from the field's name) stays
English on a French page; so does an _l() whose text the catalog lacks. Only names that are the
same in every language pass as they are: each language in its own name, protocol names and codes.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import warnings

import pytest
from flask_babel import LazyString
from flask_wtf import FlaskForm
from wtforms.fields import FormField, SelectFieldBase
from wtforms.fields.core import UnboundField

import djaboo
from djaboo import create_app
from djaboo.i18n import with_language
from djaboo.settings.oauth_providers import PROVIDERS
from djaboo.settings.presets import PRESETS
from tests.fixtures.database import base_config

# The same words in English, French and Japanese: language and product names (the presets'
# providers), codes (SMTP, TLS, EUR, UTF-8, ISO-2022-JP, 465, Windows-1252) and time zone ids.
SAME_IN_EVERY_LANGUAGE = (
    {"English", "Français", "日本語", "Auto", "Sendmail", "Mail"}
    | {name for p in PROVIDERS.values() for name in (p.label, p.protocol_label)}
    | {preset.label for preset in PRESETS}
)
CODE = re.compile(r"[A-Z0-9][A-Z0-9 ._/+:()-]*|Windows-\d+")
ZONE_ID = re.compile(r"[A-Z][A-Za-z_-]+(/[A-Za-z0-9_+-]+)+|UTC|GMT")


def _import_everything() -> None:
    for module in pkgutil.walk_packages(djaboo.__path__, "djaboo."):
        if ".migrations" not in module.name and ".devtools" not in module.name:
            importlib.import_module(module.name)


def _subclasses(cls) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


_import_everything()
FORMS = sorted(
    {c for c in _subclasses(FlaskForm) if c.__module__.startswith("djaboo.")},
    key=lambda c: f"{c.__module__}.{c.__qualname__}",
)


def same_everywhere(text: str) -> bool:
    text = text.strip()
    return (
        not text
        or text in SAME_IN_EVERY_LANGUAGE
        or bool(CODE.fullmatch(text))
        or bool(ZONE_ID.fullmatch(text))
        or not any(ch.isalpha() for ch in text)
    )


def _choice_labels(choices) -> list:
    if choices is None or callable(choices):
        return []
    if isinstance(choices, dict):  # option groups
        return [label for group in choices.values() for label in _choice_labels(group)]
    labels = []
    for choice in choices:
        if hasattr(choice, "label"):  # SelectChoice
            labels.append(choice.label)
        elif isinstance(choice, tuple | list):
            labels.append(choice[1])
        else:
            labels.append(choice)  # a value that is its own label
    return labels


def _built(form_class) -> FlaskForm | None:
    """The form as a view builds it: keyword-only arguments (what it edits) are None."""
    required = {
        name: None
        for name, p in inspect.signature(form_class.__init__).parameters.items()
        if p.kind is p.KEYWORD_ONLY and p.default is p.empty
    }
    try:
        with warnings.catch_warnings():  # tuple choices are deprecated, not wrong here
            warnings.simplefilter("ignore", DeprecationWarning)
            return form_class(meta={"csrf": False}, formdata=None, **required)
    except Exception:
        return None  # needs real objects: its declared fields are read instead


def labels_of(form_class) -> list[tuple[str, object]]:
    """(where, label text) of every field and choice the form shows."""
    form = _built(form_class)
    found = []
    if form is not None:
        for field in form:
            found += _field_labels(field, form_class.__name__)
        return found
    for name in dir(form_class):  # the declared fields, as the class states them
        unbound = getattr(form_class, name, None)
        if isinstance(unbound, UnboundField) and unbound.field_class is not FormField:
            label = unbound.kwargs.get("label", unbound.args[0] if unbound.args else None)
            found.append((f"{form_class.__name__}.{name}", label or name))
            for choice in _choice_labels(unbound.kwargs.get("choices")):
                found.append((f"{form_class.__name__}.{name} choice", choice))
    return found


def _field_labels(field, where: str) -> list[tuple[str, object]]:
    if field.type in ("CSRFTokenField", "HiddenField"):
        return []
    if isinstance(field, FormField):
        return [item for sub in field.form for item in _field_labels(sub, f"{where}.{field.name}")]
    found = [(f"{where}.{field.name}", field.label.text)]
    if isinstance(field, SelectFieldBase):
        found += [(f"{where}.{field.name} choice", c) for c in _choice_labels(field.choices)]
    return found


def untranslated(labels, built_in_other_languages=()) -> list[str]:
    """Labels a French reader would read in English. `built_in_other_languages`: the same form's
    labels built in French and in Japanese, for choices a form names in the page's language
    itself (countries, by Babel: Afghanistan is the same in French, not in Japanese)."""
    wrong = []
    for where, text in labels:
        with with_language("en"):
            english = str(text)
        if same_everywhere(english):
            continue
        if not isinstance(text, LazyString):
            if any(str(other.get(where, english)) != english for other in built_in_other_languages):
                continue  # named in the reader's language when the form is built
            wrong.append(f"{where}: {english!r} is a plain str (mark it with _l())")
            continue
        with with_language("fr"):
            french = str(text)
        with with_language("ja"):
            japanese = str(text)
        if french == english == japanese or (french == english and not japanese):
            wrong.append(f"{where}: {english!r} has no French translation")
    return wrong


def _labels_built_in(language: str, form_class) -> list[tuple[str, object]]:
    with with_language(language):
        labels = labels_of(form_class)
    # choices keep their place: where + position tells the same choice in both languages
    return [(f"{where} #{n}", str(text)) for n, (where, text) in enumerate(labels)]


@pytest.fixture(scope="module")
def request_context(tmp_path_factory):
    url = "sqlite:///" + str(tmp_path_factory.mktemp("forms") / "unused.sqlite3")
    app = create_app(base_config(url), instance_path=str(tmp_path_factory.mktemp("instance")))
    with app.test_request_context("/"):
        yield app


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_label_is_translated(request_context, form_class):
    english = labels_of(form_class)
    others = [dict(_labels_built_in(language, form_class)) for language in ("fr", "ja")]
    numbered = [(f"{where} #{n}", text) for n, (where, text) in enumerate(english)]
    wrong = untranslated(numbered, others)
    assert not wrong, "\n".join(wrong)


def test_the_check_finds_plain_and_untranslated_labels(request_context):
    from wtforms.fields import SelectChoice, SelectField, StringField

    from djaboo.i18n import _l

    class Sample(FlaskForm):
        plain = StringField("Plain words")
        unmarked_catalog = StringField(_l("A label no catalog has"))
        named = StringField()
        marked = StringField(_l("Name"))
        language = SelectField(
            _l("Language"), choices=[SelectChoice("en", "English"), SelectChoice("x", "Some one")]
        )
        protocol = SelectField(_l("Role"), choices=[("smtp", "SMTP"), ("tls", "STARTTLS")])

    wrong = untranslated(labels_of(Sample))
    assert wrong == [
        "Sample.plain: 'Plain words' is a plain str (mark it with _l())",
        "Sample.unmarked_catalog: 'A label no catalog has' has no French translation",
        "Sample.named: 'Named' is a plain str (mark it with _l())",
        "Sample.language choice: 'Some one' is a plain str (mark it with _l())",
    ]
