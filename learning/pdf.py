"""The one way we turn HTML into a PDF (cards, attendance sheets, attestations, the
account simulator's certificate).

Every PDF is rendered from our templates with everything inline (CSS, QR codes,
pictures as inline SVG), so weasyprint may fetch nothing but `data:` URLs: not the
network, not this server, not a file on disk. A link or an image that slipped into
the HTML (a note's sanitized HTML, a future template) then never becomes a request
from the server (SSRF) or a read of a local file.
"""


def html_to_pdf(html: str) -> bytes:
    # Imported here: weasyprint loads Pango, which only PDF requests need.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
