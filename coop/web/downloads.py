"""Files pages hand over for download."""

from __future__ import annotations

from werkzeug.wrappers import Response


def csv_download(content: str, filename: str) -> Response:
    """Return *content* as a CSV attachment named *filename*, for spreadsheets.

    The byte-order mark tells Excel the file is UTF-8, so "£" and accents
    survive. (Order sheets, which go to suppliers' own systems, are sent
    without it.)
    """
    return Response(
        content.encode("utf-8-sig"),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
