"""Cursor pagination: stable pages while rows are added, opaque `next`/`previous` links."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class Curseur(CursorPagination):
    ordering = "pk"
    page_size = 50
    page_size_query_param = "taille"
    max_page_size = 200
    invalid_cursor_message = "Curseur invalide."
