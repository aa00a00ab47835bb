"""QR images of tickets and of the venue code (PNG, made with the qrcode package)."""
import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_png(text, box_size=8):
    """A PNG of `text` as a QR code with the standard quiet zone (phones need it)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(out, format="PNG")
    return out.getvalue()
