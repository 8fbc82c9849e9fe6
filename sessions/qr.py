import segno


def qr_svg(url: str, *, scale: int = 10) -> str:
    """An inline SVG QR code of `url` (the URL becomes modules, not markup)."""
    # omitsize: a viewBox instead of a fixed size, so CSS can scale the code to its box.
    return segno.make(url, error="m").svg_inline(
        scale=scale, border=2, dark="#111", light="#fff", omitsize=True
    )
