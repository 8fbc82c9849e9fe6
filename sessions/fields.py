"""Form fields over core.inputs, so a form refuses odd digits and huge ids as the views do.
(Here, not in core: core imports no framework.)

Django's IntegerField takes fullwidth and Arabic-Indic digits, "+7" and "1_0" (int() does)
and has no upper bound; a value past the database column's range is a 500 on the query that
uses it.
"""

from collections.abc import Iterable

from django import forms

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
