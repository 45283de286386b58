"""What runs in the PDF child process: WeasyPrint, with nothing it may fetch.

The forkserver imports WeasyPrint ahead of time (it takes half a second), so each render is a
fork of a warm process; the parent never loads WeasyPrint itself. A crash or a runaway render
ends only that child.
"""

from __future__ import annotations

import resource

MAX_DATA_URL = 512 * 1024
# Address space of one render: a runaway document fails here instead of swapping the machine.
MEMORY_LIMIT = 2 * 1024**3


def _fetcher():
    from weasyprint.urls import URLFetcher

    class DataOnlyFetcher(URLFetcher):
        """Only small data: URLs; file:, http(s): and everything else are refused."""

        def __init__(self):
            super().__init__(allowed_protocols={"data"}, allow_redirects=False)

        def fetch(self, url, headers=None):
            if len(url) > MAX_DATA_URL:
                raise ValueError("data: URL too large")
            return super().fetch(url, headers)

    return DataOnlyFetcher()


def render_to(html: str, connection) -> None:
    """Render html and send (True, pdf bytes) or (False, why) back over connection."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    try:
        from weasyprint import HTML

        pdf = HTML(string=html, url_fetcher=_fetcher(), base_url="about:blank").write_pdf()
        connection.send((True, pdf))
    except MemoryError:
        connection.send((False, "it needs more memory than one document may use"))
    except RecursionError:
        connection.send((False, "it is nested too deeply"))
    except Exception as exc:  # noqa: BLE001 - any failure is reported, never raised in the child
        connection.send((False, f"{type(exc).__name__}: {str(exc)[:200]}"))
    finally:
        connection.close()
