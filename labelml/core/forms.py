"""Form fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from labelml.core.ids import parse_id


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """A ModelMultipleChoiceField that refuses a value which cannot be an id (not ASCII digits,
    beyond a bigint) as an invalid choice before querying: SQLite raises OverflowError on a
    20-digit id in `pk__in` (a 500 for a tampered form)."""

    def _check_values(self, value: Any) -> Any:
        if (self.to_field_name or "pk") == "pk":
            for pk in value:
                if parse_id(pk) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)  # type: ignore[misc]
