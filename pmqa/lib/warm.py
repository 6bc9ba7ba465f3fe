"""What every first request of a new process would otherwise pay for: the translation
catalogues, the URL patterns and the compiled templates. gunicorn loads the application once
in its master (`preload_app`) and forks each worker from it, so warming there makes every
worker start warm, the first after a restart and each one replaced after `max_requests`."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import reverse
from django.utils import translation


def template_names() -> list[str]:
    """Every template of the project's own folder, by the name a view renders it by."""
    names: list[str] = []
    folders = settings.TEMPLATES[0]["DIRS"]
    assert isinstance(folders, list)
    for folder in folders:
        root = Path(folder)
        names += sorted(str(p.relative_to(root)) for p in root.rglob("*.html"))
    return names


def warm() -> int:
    """Load the catalogues of every language, the URL patterns and every template (compiled and
    kept by the cached loader outside debug mode); returns how many templates were loaded. Needs
    no database."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Log in")
    reverse("home")
    engine = engines["django"]
    loaded = 0
    for name in template_names():
        try:
            engine.get_template(name)
        except (TemplateDoesNotExist, TemplateSyntaxError):  # a broken one fails where it is used
            continue
        loaded += 1
    return loaded
