"""Financing matchmaking (投融资对接) and living amenities (生活配套): the
application form's 金融服务 and 生活配套 sections (not built yet)."""


def register(app, reg):
    """Plug financing and amenities into the app (their routes live on services.bp)."""
