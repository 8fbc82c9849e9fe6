"""The one place where what a client sends becomes an id, a list of session codes or text.

Every function refuses with `core.errors.Rejected` and a message in the active language, so a
view can answer 400 with it; none of them lets a value through that a database column, an
XML export (xlsx, docx) or a later `int()` cannot hold.

- Ids and numbers: ASCII digits only. `str.isdigit()` and `int()` accept "²", fullwidth and
  Arabic-Indic digits, "+7", " 7" and "1_0" (as 10): each was a 500 or a wrong id somewhere.
- Session codes: ASCII letters and digits, as many as the column holds (a NUL byte is a 500 on
  PostgreSQL).
- Text: what XML 1.0 cannot hold is refused with a message, not silently dropped (the user
  sees what was stored); harmless differences are normalised (line ends, Unicode NFC, outer
  white space); text of only invisible characters is refused.
"""

import re
import unicodedata
from collections.abc import Iterable

from core.errors import Rejected
from core.i18n import gettext as _

# The largest value of PostgreSQL's bigint (Django's BigAutoField, every id here).
ID_MAX = 2**63 - 1
_ID_DIGITS = len(str(ID_MAX))
_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)

# A session code as the column holds it (sessions.models.Workshop.code: max_length 12).
CODE_MAX_LENGTH = 12
_CODE = re.compile(rf"[A-Z0-9]{{1,{CODE_MAX_LENGTH}}}", re.ASCII)
_CODE_SEPARATORS = re.compile(r"[\s,;]+")

# What XML 1.0 cannot hold (its Char production): C0 controls but tab, line feed and carriage
# return; lone surrogates; U+FFFE and U+FFFF. openpyxl writes such a string into a workbook
# that no longer opens; python-docx refuses it with a ValueError (a 500).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Characters that show nothing: zero-width spaces and joiners, the word joiner, the
# byte-order mark, the soft hyphen, the directional marks and embeddings. Text of only these
# (and white space) looks empty on every page.
_INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\u3164\ufeff\uffa0"
)
_LINE_BREAKS = re.compile("\r\n?")
_WHITE_RUN = re.compile(r"\s+")


def parse_id(
    raw: object,
    *,
    min_value: int = 1,
    max_value: int = ID_MAX,
    message: str | None = None,
) -> int:
    """`raw` as an integer in min_value..max_value, or Rejected.

    Accepts an int (not a bool) or a string of ASCII digits, nothing else: no sign, no
    underscore, no white space, no other script's digits.
    """
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and len(raw) <= _ID_DIGITS and _ASCII_DIGITS.fullmatch(raw):
        value = int(raw)
    else:
        value = None
    if value is None or not min_value <= value <= max_value:
        raise Rejected(message or _("This is not a valid number; nothing was changed."))
    return value


def parse_optional_id(
    raw: object,
    *,
    min_value: int = 1,
    max_value: int = ID_MAX,
    message: str | None = None,
) -> int | None:
    """Like parse_id, but None or an empty string is None (a field left empty)."""
    if raw is None or raw == "":
        return None
    return parse_id(raw, min_value=min_value, max_value=max_value, message=message)


def parse_id_list(
    raw: Iterable[object] | str | None,
    *,
    min_value: int = 1,
    max_value: int = ID_MAX,
    max_items: int = 1000,
    message: str | None = None,
) -> list[int]:
    """Ids from a list of values (a QueryDict's getlist) or a comma-separated string: each as
    parse_id, duplicates dropped (first kept), at most `max_items`; or Rejected."""
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [part for part in raw.split(",") if part]
    elif not isinstance(raw, Iterable):
        raise Rejected(message or _("This is not a valid number; nothing was changed."))
    values: list[int] = []
    for item in raw:
        values.append(parse_id(item, min_value=min_value, max_value=max_value, message=message))
        if len(values) > max_items:
            raise Rejected(
                _("At most %(max)s may be chosen at once; nothing was changed.")
                % {"max": f"{max_items:,}"}
            )
    return list(dict.fromkeys(values))


def valid_ids(raw: Iterable[object] | None) -> set[int]:
    """The ids among `raw` that parse_id takes, the rest left out: for showing a refused form
    again with what was chosen (the refusal itself comes from the form or service)."""
    chosen: set[int] = set()
    for item in raw or ():
        try:
            chosen.add(parse_id(item))
        except Rejected:
            continue
    return chosen


def parse_session_codes(
    raw: Iterable[str] | str | None, *, max_codes: int | None = None
) -> list[str]:
    """Session codes from "A,B C;D" and/or several such values (?codes=…&code=…): upper-cased,
    duplicates dropped (first kept); or Rejected if one cannot be a code or there are more
    than `max_codes`."""
    if raw is None:
        return []
    parts = [raw] if isinstance(raw, str) else list(raw)
    codes: list[str] = []
    for part in parts:
        if not isinstance(part, str):
            raise Rejected(_("A session code consists of letters and digits."))
        for code in _CODE_SEPARATORS.split(part):
            if not code:
                continue
            code = code.upper()
            if not _CODE.fullmatch(code):
                raise Rejected(
                    _("“%(code)s” is not a session code: a code consists of letters and digits.")
                    % {"code": _shown(code)}
                )
            codes.append(code)
    codes = list(dict.fromkeys(codes))
    if max_codes is not None and len(codes) > max_codes:
        raise Rejected(_("Compare at most %(max)d sessions at once.") % {"max": max_codes})
    return codes


def clean_text(
    raw: object,
    *,
    max_length: int,
    required: bool = False,
    multiline: bool = True,
    empty_message: str | None = None,
) -> str:
    """Text as it is stored, or Rejected with the reason.

    Normalised: line ends to "\\n" (multiline) or all white space runs to one space (a
    one-line field such as a city), Unicode NFC, outer white space removed.
    Refused: what XML 1.0 cannot hold (control characters, U+FFFE/U+FFFF, lone surrogates),
    text of only invisible characters, more than `max_length` characters, and nothing at all
    when `required`.
    """
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise Rejected(_("This field takes text."))
    if (bad := XML_ILLEGAL.search(raw)) is not None:
        raise Rejected(
            _(
                "The text contains an invisible control character (%(char)s) that cannot be "
                "stored or exported; remove it and try again."
            )
            % {"char": f"U+{ord(bad.group()):04X}"}
        )
    text = _LINE_BREAKS.sub("\n", raw)
    text = unicodedata.normalize("NFC", text)
    text = text.strip() if multiline else _WHITE_RUN.sub(" ", text).strip()
    if text and all(ch in _INVISIBLE or ch.isspace() for ch in text):
        raise Rejected(
            _("The text consists of invisible characters only; write something visible.")
        )
    if required and not text:
        raise Rejected(empty_message or _("Write something first: an empty text is not stored."))
    if len(text) > max_length:
        raise Rejected(
            _("A text can have at most %(max)s characters; this one has %(n)s.")
            % {"max": f"{max_length:,}", "n": f"{len(text):,}"}
        )
    return text


def xml_safe(value: str) -> str:
    """`value` without what XML 1.0 cannot hold, for the exports: text stored before the input
    rules (or written around them) must never make a workbook or document unreadable. The
    characters are left out (they show nothing anyway), as the exports always did for C0."""
    return XML_ILLEGAL.sub("", value) if XML_ILLEGAL.search(value) else value


def _shown(code: str) -> str:
    """A refused code as it may be shown back: printable, short."""
    return xml_safe(code)[: CODE_MAX_LENGTH + 4].encode("ascii", "backslashreplace").decode()
