"""Every page a founder or staff member opens fits a 360 px phone with no sideways
scroll, on the demo community (a year of data in every package)."""
import pytest

from community.demo import load_demo
from community.extensions import db
from community.registry import registry
from tests.browser.conftest import log_in

STAFF_PAGES = (
    "/", "/tenants", "/tenants/{tenant}", "/zones", "/desks", "/desks/1", "/holidays",
    "/booking/rooms", "/booking/rooms/1", "/booking/rooms/1/week", "/booking/calendar",
    "/booking/bookings", "/events", "/events/1", "/events/new", "/services",
    "/services/requests/1", "/services/providers", "/services/providers/1",
    "/services/grants", "/services/quotas", "/services/catalogue", "/services/financing",
    "/services/amenities", "/scenarios/board", "/scenarios/1", "/scenarios/activities",
    "/scenarios/new", "/evidence/gaps", "/packs", "/report", "/corrections",
)
ADMIN_PAGES = ("/settings", "/users", "/audit", "/locks", "/assessors")
ASSESSOR_PAGES = ("/", "/audit", "/packs", "/evidence/gaps")
FOUNDER_PAGES = ("/tenants/{tenant}", "/booking/rooms", "/booking/rooms/1",
                 "/booking/bookings", "/services/mine", "/services/request",
                 "/services/financing/mine", "/scenarios/published")


@pytest.fixture
def demo(live_app):
    with live_app.app_context():
        load_demo(db.session, registry().demo_loaders,
                  upload_folder=live_app.config["UPLOAD_FOLDER"])
        db.session.commit()
        db.session.remove()


def wide_pages(page, paths, tenant_id):
    found = []
    for path in paths:
        path = path.format(tenant=tenant_id)
        response = page.goto(path)
        assert response.ok, f"{path}: {response.status}"
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            found.append(f"{path} is {width} px wide")
    return found


def test_every_page_fits_a_360_px_phone(new_page, staff, demo):
    page = new_page(viewport={"width": 360, "height": 780})
    log_in(page, "staff", "staff-demo-pass")
    assert wide_pages(page, STAFF_PAGES, 1) == []
    founder = new_page(viewport={"width": 360, "height": 780})
    log_in(founder, "founder", "founder-demo-pass")
    assert wide_pages(founder, FOUNDER_PAGES, 1) == []
    admin = new_page(viewport={"width": 360, "height": 780})
    log_in(admin, "admin", "admin-demo-pass")
    assert wide_pages(admin, ADMIN_PAGES, 1) == []
    assessor = new_page(viewport={"width": 360, "height": 780})
    log_in(assessor, "assessor", "assessor-demo-pass")  # granted the implementation period
    assert wide_pages(assessor, ASSESSOR_PAGES, 1) == []
