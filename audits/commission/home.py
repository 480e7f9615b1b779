"""The commission's panel of the home page (labelml/structures/home.py, registered in hooks.py):
for national administrators, the labels whose validity ends within about six months."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from labelml.structures.selectors import is_national_admin

from .selectors import labels_expiring


def labels_coming_to_an_end(request: HttpRequest) -> dict[str, Any]:
    expiring = list(labels_expiring()) if is_national_admin(request.user) else []
    return {"labels_expiring": expiring}
