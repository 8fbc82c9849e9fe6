"""Form fields over core.inputs, so a form refuses odd digits and huge ids as the views do.
(Here, not in core: core imports no framework.)

Django's IntegerField takes fullwidth and Arabic-Indic digits, "+7" and "1_0" (int() does)
and has no upper bound; a value past the database column's range is a 500 on the query that
uses it.
"""

from collections.abc import Iterable

from django import forms
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

from core.errors import Rejected
from core.inputs import ID_MAX, parse_id, parse_id_list


class IdField(forms.Field):
    """One id (or a small number: pass min_value/max_value), ASCII digits only."""

    def __init__(self, *, min_value: int = 1, max_value: int = ID_MAX, **kwargs) -> None:
        self.min_value, self.max_value = min_value, max_value
        super().__init__(**kwargs)

    def to_python(self, value: object) -> int | None:
        if value in self.empty_values:
            return None
        try:
            return parse_id(value, min_value=self.min_value, max_value=self.max_value)
        except Rejected as refused:
            raise forms.ValidationError(str(refused), code="invalid") from None


class IdListField(forms.Field):
    """Any number of ids (a multiple hidden input or checkboxes), each as IdField."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, max_items: int = 1000, **kwargs) -> None:
        self.max_items = max_items
        super().__init__(**kwargs)

    def to_python(self, value: object) -> list[int]:
        if not value:
            return []
        if isinstance(value, str) or not isinstance(value, Iterable):
            value = [value]
        try:
            return parse_id_list(value, max_items=self.max_items)
        except Rejected as refused:
            raise forms.ValidationError(str(refused), code="invalid") from None


class PlainSelect(forms.Select):
    """Django's Select with the same HTML, written out in Python instead of through the widget
    templates (select.html, an include of select_option.html and attrs.html per option).

    The join page is the first request of every phone: with a conference's 30 tables its two
    lists took most of the page's server CPU (py-spy: widget rendering 21% of all samples of
    a room joining). Flat choices only (no option groups), one value selected, as Select
    marks it; escaped as the templates escape (a value always, a label unless it is marked
    safe); tests/test_join_cost.py compares the output with Django's own."""

    def render(
        self, name: str, value: object, attrs: dict | None = None, renderer=None
    ) -> SafeString:
        chosen = self.format_value(value)
        options = []
        selected = False
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # an option group: Django's templates
                return super().render(name, value, attrs, renderer)
            text = "" if option_value is None else str(option_value)
            mark = not selected and text in chosen
            selected = selected or mark
            options.append(
                f'  <option value="{escape(text)}"{" selected" if mark else ""}>'
                f"{conditional_escape(label)}</option>\n\n"  # type: ignore[arg-type]
            )
        attributes = _attributes(self.build_attrs(self.attrs, attrs))
        return mark_safe(  # noqa: S308  # every part above is escaped
            f'<select name="{conditional_escape(name)}"{attributes}>\n{"".join(options)}</select>'
        )


def _attributes(attrs: dict) -> str:
    """As Django's widgets/attrs.html writes them: in order, True as a bare name, False left
    out, anything else as its text, escaped unless marked safe."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )
