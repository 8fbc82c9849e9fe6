"""Translation of core's messages without importing a framework (core imports no Django).

The app layer installs Django's gettext at startup (instrument.apps.InstrumentConfig.ready,
the lowest Django app), so a refusal raised here is in the request's language like any other;
before that (a plain Python use of core) messages stay English.
"""

from collections.abc import Callable

_translate: Callable[[str], str] = str


def install(translate: Callable[[str], str]) -> None:
    global _translate
    _translate = translate


def gettext(message: str) -> str:
    return _translate(message)
