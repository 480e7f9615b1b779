"""HTML → PDF with WeasyPrint, apart from the task so that it can be measured alone.

Every document is written as PDF/A-3a: archivable (fonts embedded, sRGB output intent, XMP
metadata) and, being level "a", tagged — the structure tree a screen reader follows, the document
language and title. The XMP also declares PDF/UA-1, which asks for the same tagging.
"""

from __future__ import annotations

from pathlib import Path

FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"
PDF_VARIANT = "pdf/a-3a"
PDFUA_XMP = (
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" '
    b'pdfuaid:part="1"/></rdf:RDF>'
)


def render_pdf(html: str) -> tuple[bytes, int]:
    """The PDF and its page count. Fonts are the ones shipped in labelml/documents/fonts
    (referenced by
    @font-face relative to it), so the output does not depend on the machine's fonts."""
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=f"{FONTS_DIR}/").render(
        pdf_variant=PDF_VARIANT
    )
    document.metadata.xmp_metadata.append(PDFUA_XMP)
    return document.write_pdf(pdf_variant=PDF_VARIANT), len(document.pages)
