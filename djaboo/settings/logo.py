"""The company logo: a PNG or JPEG upload, checked before it is decoded, stored as a clean PNG.

What comes in is refused unless its first bytes say PNG or JPEG (an SVG can carry scripts; a
name or a Content-Type proves nothing), it is at most MAX_BYTES, and its header announces at
most MAX_SIDE pixels a side: the size is read from the header alone, so a "decompression bomb"
(a small file that would unpack into gigapixels) is refused before any pixel is decoded. What is
kept is re-encoded as PNG: no EXIF, no GPS position, no comment, nothing but pixels, small
enough (MAX_STORED) to go into every PDF as a data: URL.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from djaboo.i18n import _

MAX_BYTES = 512 * 1024
MAX_SIDE = 2000
# Drawn at most a few centimetres wide: this many pixels a side is print quality.
STORED_SIDES = (800, 400)
MAX_STORED = 384 * 1024  # base64 in a data: URL stays under the PDF renderer's 512 KB
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


class LogoRefused(ValueError):
    """The upload is not a usable logo; the message says why."""


@dataclass(frozen=True)
class Logo:
    png: bytes
    sha256: str
    width: int
    height: int


def image_format(head: bytes) -> str | None:
    if head.startswith(PNG_MAGIC):
        return "PNG"
    if head.startswith(JPEG_MAGIC):
        return "JPEG"
    return None


def read_logo(stream) -> Logo:
    """The logo from an uploaded file's stream, as a PNG; LogoRefused if it cannot be one."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise LogoRefused(_("The logo is larger than 512 KB; use a smaller image."))
    kind = image_format(data)
    if kind is None:
        raise LogoRefused(_("The logo must be a PNG or JPEG image (SVG is not accepted)."))
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind])  # reads the header only
            width, height = image.size
            if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
                raise LogoRefused(
                    _(
                        "The logo is %(width)s × %(height)s pixels; at most %(side)s pixels a "
                        "side are accepted.",
                        width=width,
                        height=height,
                        side=MAX_SIDE,
                    )
                )
            image.load()
            image = ImageOps.exif_transpose(image)  # drawn the way up the camera meant
            return _as_png(image)
    except LogoRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise LogoRefused(_("The logo's dimensions are far too large.")) from None
    except (OSError, SyntaxError, ValueError):  # truncated or malformed: Pillow's own errors
        raise LogoRefused(_("The logo could not be read; is the file a complete image?")) from None


def _as_png(image) -> Logo:
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if transparent else "RGB")
    for side in STORED_SIDES:
        copy = image.copy()
        copy.thumbnail((side, side))
        out = io.BytesIO()
        copy.save(out, "PNG", optimize=True)  # a new file: none of the upload's metadata
        png = out.getvalue()
        if len(png) <= MAX_STORED:
            return Logo(png, hashlib.sha256(png).hexdigest(), *copy.size)
    raise LogoRefused(_("The logo is too detailed to keep; use a simpler or smaller image."))
