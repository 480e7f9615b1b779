"""The printed documents of SPEC §8 and the follow-up audit's report (SPEC §7b). Each module
builds the context of one document and says when it cannot be produced yet; `registry` ties
kinds to templates; `pdf` prints HTML."""

from .pdf import render_pdf
from .registry import REPORTS, build_html, render, unavailable_reason

__all__ = ["REPORTS", "build_html", "render", "render_pdf", "unavailable_reason"]
