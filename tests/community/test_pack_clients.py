"""Report packs against the real programs a reviewer and production use: LibreOffice
reads the pack's workbook (each sheet to CSV) and its cover agrees with the dashboard;
pdftoppm renders the pack's PDF; the task queue runs with a real consumer, embedded on
SQLite and as `huey_consumer` on a real redis-server.

Without LibreOffice, pdftoppm or redis-server these tests are skipped, or fail when
REQUIRE_BROWSER=1 (CI installs them)."""
import csv
import os
import shutil
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from community import chain, packs, tasks
from community.extensions import db
from community.models import ReportPack
from community.registry import evaluate, registry
from community.settings import targets
from community.web import today
from tests.conftest import PG_URL
from tests.servers import need

ROOT = Path(__file__).resolve().parents[2]
WAIT = 180  # seconds a real consumer may take to build a pack


def request(client, **data):
    response = client.post("/packs/request", data={"half": "1"} | data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def wait_done(pack_id):
    """Poll as the page does, each look in a transaction of its own."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        db.session.rollback()
        pack = db.session.get(ReportPack, pack_id)
        db.session.refresh(pack)
        if pack.status in ("done", "failed"):
            return pack
        time.sleep(0.3)
    pytest.fail(f"pack {pack_id} still {pack.status} ({pack.done}/{pack.total}) after {WAIT}s")


def sheets_as_csv(soffice, workbook, out):
    """LibreOffice headless writes every sheet of the workbook as its own CSV."""
    run = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{out / 'profile'}",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,"
                         "false,false,-1", "--outdir", str(out), str(workbook)],
        capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    return {p.stem.split("-", 1)[1]: p for p in out.glob("*.csv")}


# --- LibreOffice and pdftoppm read the pack ---------------------------------------

def test_libreoffice_reads_the_packs_workbook_and_its_cover_equals_the_dashboard(
        demo, client, login, tmp_path):
    app = demo
    soffice, pdftoppm = need("soffice"), need("pdftoppm")
    login("staff")
    pack = wait_done(request(client, kind="annual", year=str(today().year)))
    assert pack.status == "done", pack.error
    with zipfile.ZipFile(packs.pack_path(app.config["PACK_FOLDER"], pack)) as zf:
        (tmp_path / "台账.xlsx").write_bytes(zf.read("台账.xlsx"))
        (tmp_path / "report.pdf").write_bytes(zf.read("report.pdf"))
        evidence = [n for n in zf.namelist() if n.startswith("证明材料/")]
    if any(sheet.evidence for sheet in registry().sheets):
        assert evidence, "the demo community's files are in the pack"

    sheets = sheets_as_csv(soffice, tmp_path / "台账.xlsx", tmp_path / "csv")
    assert {"考核指标完成情况", "工位台账", "场地台账"} <= set(sheets)
    with open(sheets["考核指标完成情况"], encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header = next(i for i, row in enumerate(rows) if row and row[0] == "指标编号")
    cover = {}
    for row in rows[header + 1:]:
        if not row or not row[0]:
            break  # the indicators end at the first empty row; the trail's head follows
        cover[row[0]] = row[3]
    count, head = chain.head_of(db.session)
    assert any(row and row[0] == f"审计记录：共 {count} 条；链首哈希（SHA-256）：{head}"
               for row in rows), "the cover prints the trail's head as the build saw it"
    period = packs.period_of(pack, today())
    results = evaluate(db.session, registry(), targets(db.session), period)
    assert set(cover) == {r.code for r in results}
    for r in results:
        if r.actual is None:
            assert cover[r.code] == "", r.code
        else:
            assert Decimal(cover[r.code].replace(",", "")) == Decimal(r.actual), r.code

    run = subprocess.run([pdftoppm, "-png", "-r", "40", "-f", "1", "-l", "1",
                          str(tmp_path / "report.pdf"), str(tmp_path / "page")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    page = next(tmp_path.glob("page*.png"))
    with Image.open(page) as image:
        darkest, lightest = image.convert("L").getextrema()
    assert page.stat().st_size > 2000 and darkest < 128 < lightest, "a page with ink on it"


# --- a real consumer ----------------------------------------------------------------

@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize("app_config", [{"HUEY_IMMEDIATE": False,
                                         "HUEY_EMBEDDED_CONSUMER": True}], indirect=True)
def test_an_embedded_consumer_builds_the_pack_on_sqlite_huey(app, client, login):
    assert type(tasks.huey_of(app)).__name__ == "SqliteHuey"
    assert os.path.dirname(app.config["HUEY_SQLITE"]) == os.path.dirname(
        app.config["PACK_FOLDER"])  # the test's own folder, not the instance folder
    try:
        login("staff")
        pack_id = request(client, kind="custom", start="2026-01-01", end="2026-03-31")
        page = client.get(f"/packs/{pack_id}").get_data(as_text=True)
        assert "报告包" in page
        pack = wait_done(pack_id)
    finally:
        tasks.stop_consumer(app)
    assert pack.status == "done", pack.error
    assert os.path.exists(packs.pack_path(app.config["PACK_FOLDER"], pack))
    assert tasks.huey_of(app).pending_count() == 0


def test_huey_consumer_on_redis_builds_the_pack_the_web_app_queued(
        migrated, tmp_path, redis_url):
    """Production's shape: the web app queues in Redis, `huey_consumer
    community.tasks.huey` (its own process, its own app) builds the pack."""
    from app import create_app
    from tests.conftest import base_config
    if PG_URL:
        uri = PG_URL
    else:
        shutil.copy(migrated, tmp_path / "db.sqlite3")
        uri = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    web = create_app(base_config(tmp_path, uri) | {"REDIS_URL": redis_url,
                                                   "HUEY_IMMEDIATE": False})
    assert type(tasks.huey_of(web)).__name__ == "RedisHuey"
    assert not web.config["HUEY_EMBEDDED_CONSUMER"]
    env = os.environ | {"REDIS_URL": redis_url, "DATABASE_URL": uri, "FLASK_APP": "app",
                        "PACK_FOLDER": web.config["PACK_FOLDER"], "SECRET_KEY": "test"}
    consumer = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "huey_consumer"),
         "community.tasks.huey", "-w", "1", "-k", "thread"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        with web.app_context():
            from tests.conftest import PASSWORD
            from community.models import User
            user = User(username="redis-staff", name="运营", role="staff")
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()
            client = web.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
            pack_id = request(client, kind="annual", year="2026")
            assert tasks.huey_of(web).pending_count() <= 1
            pack = wait_done(pack_id)
            assert pack.status == "done", pack.error
            assert os.path.exists(packs.pack_path(web.config["PACK_FOLDER"], pack))
            assert tasks.huey_of(web).pending_count() == 0
            db.session.remove()
            if PG_URL:
                from tests.conftest import _truncate_all
                _truncate_all()
    finally:
        consumer.terminate()
        try:
            output, _ = consumer.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            consumer.kill()
            output, _ = consumer.communicate()
        with web.app_context():
            db.engine.dispose()
    assert "community.build_pack" in output  # the consumer named the task it runs
