"""Report packs: for a period, one zip an assessor can check file by file.

台账.xlsx (cover plus every sheet), 证明材料/<indicator>/<sheet>/<record>/<file>,
缺证据清单.csv (when packages say what evidence rows lack), report.html and report.pdf,
manifest.csv (each file's SHA-256 and size, UTF-8 with BOM for Excel) and 说明.txt
(period, counts, the audit chain's head). Built by a task (community.tasks) into the
pack folder: files are streamed into the zip, so memory does not grow with them;
progress is committed in short transactions of its own so the page sees it move.
"""
import csv
import hashlib
import io
import logging
import os
import secrets
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from community import audit, chain
from community.dbsetup import begin_write, utcnow
from community.files import active_attachments
from community.labels import N_
from community.models import ReportPack
from community.periods import Period, period_for
from community.permissions import can, may_read_period
from community.refusals import Invalid, Refused
from community.registry import BANG
from community.zipnames import Names, check_arcname, safe_part  # noqa: F401 (tests)

log = logging.getLogger(__name__)
KINDS = ("half_year", "annual", "acceptance", "custom")
KIND_LABELS = {"half_year": N_("半年度考核（区级）"), "annual": N_("年度报告"),
               "acceptance": N_("验收（整个实施周期）"), "custom": N_("自定义期间")}
STATUS_LABELS = {"queued": N_("排队中"), "running": N_("生成中"), "done": N_("已完成"),
                 "failed": N_("失败")}
MESSAGES = {
    "pack_not_granted": _l("无权获取 %(start)s 至 %(end)s 的报告包：该期间不在授权范围内。"),
    "pack_year_invalid": _l("请填写2000至2100之间的年份。"),
}
EVIDENCE = "证明材料"
CHUNK = 1024 * 1024
PROGRESS_EVERY = 0.5  # seconds between committed progress updates


# --- which period -----------------------------------------------------------------

def pack_period(kind, today, implementation, year=None, half=None, start=None, end=None):
    """The period a pack of this kind covers; Invalid names the field that is wrong."""
    if kind not in KINDS:
        raise Invalid({"kind": "choice_invalid"})
    if kind in ("half_year", "annual") and not (isinstance(year, int) and 2000 <= year <= 2100):
        raise Invalid({"year": "pack_year_invalid"})
    if kind == "half_year" and half not in (1, 2):
        raise Invalid({"half": "choice_invalid"})
    if kind == "custom":
        if not isinstance(start, date):
            raise Invalid({"start": "required"})
        if not isinstance(end, date):
            raise Invalid({"end": "required"})
        if end < start:
            raise Invalid({"end": "end_before_start"})
    try:
        if kind == "half_year":
            return period_for("h1" if half == 1 else "h2", today, year=year)
        if kind == "annual":
            return period_for("year", today, year=year)
        if kind == "acceptance":
            return period_for("implementation", today, implementation=implementation)
        return period_for("custom", today, start=start, end=end)
    except ValueError:
        raise Invalid({"end" if kind == "custom" else "kind": "period_invalid"}) from None


def period_of(pack, today):
    return Period.make(pack.start_on, pack.end_on, today)


# --- who may ----------------------------------------------------------------------

def may_use_packs(user):
    """Staff and admin ("export"), and assessors ("assess": for their granted periods)."""
    return can(user, "export") or can(user, "assess")


def may_have(session, user, pack, today):
    """Staff and admin every pack; an assessor a pack of a period an admin granted."""
    return may_use_packs(user) and may_read_period(session, user, period_of(pack, today))


def request_pack(session, actor, kind, period):
    """Queue a pack for a period the actor may read (the caller commits, then enqueues)."""
    if kind not in KINDS:
        raise Invalid({"kind": "choice_invalid"})
    if not (may_use_packs(actor) and may_read_period(session, actor, period)):
        raise Refused("pack_not_granted", start=period.start, end=period.end)
    pack = ReportPack(kind=kind, start_on=period.start, end_on=period.end, status="queued",
                      requested_by_id=getattr(actor, "id", None), requested_at=utcnow())
    session.add(pack)
    audit.record(session, actor, "report_pack.requested", pack,
                 note=f"{period.start}~{period.end}")
    return pack


def record_download(session, actor, pack):
    """Every download of a pack is in the audit trail, whoever downloads it."""
    audit.record(session, actor, "report_pack.downloaded", object_type="report_pack",
                 object_id=pack.id, note=f"{pack.start_on}~{pack.end_on} {pack.sha256}")


def pack_path(folder, pack):
    return os.path.join(folder, pack.stored_name) if pack.stored_name else None


# --- the build --------------------------------------------------------------------

@dataclass(frozen=True)
class Evidence:
    """One evidence file to pack (plain values: nothing to reload after a commit)."""

    arcname: str
    source: str
    sha256: str
    size: int
    record: str


def _record_label(sheet, row):
    """The folder of a ledger row's files: its evidence id and its first text cell."""
    text = next((row.get(c.key) for c in sheet.columns
                 if c.kind == "text" and isinstance(row.get(c.key), str) and row.get(c.key)),
                "")
    return safe_part(f"{row['evidence_id']}-{text}"[:60])


def plan(session, reg, period, upload_folder, names):
    """The evidence files to pack: each file once, filed under the first sheet whose
    rows carry its record."""
    titles = {code: title for code, title, _ in BANG} | {
        i.code: i.title_zh for i in reg.indicators}
    files, seen = [], set()
    for sheet in (s for s in reg.sheets if s.evidence):
        rows = list(sheet.rows(session, period))
        labels = {}
        for row in rows:
            if row.get("evidence_id") is not None:
                labels.setdefault(row["evidence_id"], _record_label(sheet, row))
        folder = "/".join([EVIDENCE, safe_part(
            f"{sheet.indicator} {titles.get(sheet.indicator, '')}".strip()),
            safe_part(sheet.title)])
        kinds = (sheet.evidence,) if isinstance(sheet.evidence, str) else sheet.evidence
        found = [(owner_id, a) for kind in kinds
                 for owner_id, files_of in active_attachments(session, kind, labels).items()
                 for a in files_of]
        order = {owner_id: n for n, owner_id in enumerate(labels)}  # the sheet's row order
        for owner_id, a in sorted(found, key=lambda f: (order[f[0]], f[1].id)):
            if a.id in seen:
                continue
            seen.add(a.id)
            arcname = names.unique(f"{folder}/{labels[owner_id]}",
                                   safe_part(a.filename, "file", last=True))
            files.append(Evidence(arcname, os.path.join(upload_folder, a.stored_name),
                                  a.sha256, a.size, f"{sheet.title} · {labels[owner_id]}"))
    return files


def row_counts(reg, workbook):
    """Rows per sheet title, read back from the written workbook (each sheet's rows are
    computed once, by the exporter)."""
    from openpyxl import load_workbook

    from community.export import sheet_name
    book = load_workbook(workbook, read_only=True)
    try:
        return {s.title: max(book[sheet_name(s.title)].max_row - 1, 0) for s in reg.sheets
                if sheet_name(s.title) in book.sheetnames}
    finally:
        book.close()


def gap_rows(session, reg, period):
    """What each ledger row still lacks, per indicator (the packages' gap functions)."""
    return [(code, gap.sheet, gap.record, str(gap.lacks))
            for code, functions in reg.gaps.items()
            for gaps in functions for gap in gaps(session, period)]


class Progress:
    """done/total of a pack, written at most twice a second, each time in a short write
    transaction of a session of its own: the page sees it move, and the build's long read
    never has to become a write (on SQLite a stale read cannot)."""

    def __init__(self, session, pack_id):
        self.session = Session(bind=session.get_bind())
        self.pack_id, self.done, self.last = pack_id, 0, 0.0

    def write(self, **values):
        begin_write(self.session)
        self.session.execute(update(ReportPack).where(ReportPack.id == self.pack_id)
                             .values(**values))
        self.session.commit()

    def set(self, total=None, done=None, status=None, force=False):
        if done is not None:
            self.done = done
        now = time.monotonic()
        if not force and total is None and status is None and now - self.last < PROGRESS_EVERY:
            return
        values = {"done": self.done}
        if total is not None:
            values["total"] = total
        if status is not None:
            values["status"] = status
        self.write(**values)
        self.last = now

    def step(self):
        self.set(done=self.done + 1)

    def close(self):
        self.session.close()


def _csv_bytes(header, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _stream(zf, arcname, source, compress):
    """Copy a file into the zip chunk by chunk; its SHA-256 and size as written."""
    info = zipfile.ZipInfo(arcname, date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    digest, size = hashlib.sha256(), 0
    with open(source, "rb") as src, zf.open(info, "w", force_zip64=True) as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _put(zf, arcname, data):
    zf.writestr(zipfile.ZipInfo(arcname, date_time=time.localtime()[:6]), data,
                compress_type=zipfile.ZIP_DEFLATED)
    return hashlib.sha256(data).hexdigest(), len(data)


def build_pack(session, reg, pack_id, *, folder, upload_folder, targets, settings, today,
               render_html, write_pdf):
    """Write the pack's zip into `folder` and record its size and SHA-256."""
    from community.export import write_workbook

    pack = session.get(ReportPack, pack_id)
    period = period_of(pack, today)
    kind = pack.kind
    progress = Progress(session, pack_id)
    progress.set(status="running", done=0)
    names = Names()
    files = plan(session, reg, period, upload_folder, names)
    total = len(files) + 5  # workbook, gaps, report html, report pdf, manifest and notes
    progress.set(total=total)
    os.makedirs(folder, exist_ok=True)
    stored = secrets.token_hex(16) + ".zip"
    partial = os.path.join(folder, stored + ".part")
    manifest, missing = [], []
    try:
        with tempfile.TemporaryDirectory(dir=folder) as scratch, \
                zipfile.ZipFile(partial, "w", allowZip64=True) as zf:
            workbook = os.path.join(scratch, "ledger.xlsx")
            # A pack is handed to the assessors: people's names and phones masked.
            write_workbook(session, reg, targets, period, workbook,
                           community_name=settings.name, tz_name=settings.timezone,
                           people=False)
            counts = row_counts(reg, workbook)
            name = names.unique("", "台账.xlsx")
            manifest.append((name, *_stream(zf, name, workbook, True), "台账（封面及各表）"))
            progress.step()
            gaps = gap_rows(session, reg, period)
            if reg.gaps:
                name = names.unique("", "缺证据清单.csv")
                manifest.append((name, *_put(zf, name, _csv_bytes(
                    ["指标编号", "台账", "记录", "缺少"], gaps)), "缺证据清单"))
            progress.step()
            html = render_html(session, reg, period, people=False)
            name = names.unique("", "report.html")
            manifest.append((name, *_put(zf, name, html.encode("utf-8")), "报告（HTML）"))
            progress.step()
            pdf = os.path.join(scratch, "report.pdf")
            write_pdf(html, pdf)
            name = names.unique("", "report.pdf")
            manifest.append((name, *_stream(zf, name, pdf, False), "报告（PDF）"))
            progress.step()
            session.rollback()  # the plan is plain values: end the long read here
            for item in files:
                if not os.path.exists(item.source):
                    missing.append(item)
                else:
                    digest, size = _stream(zf, item.arcname, item.source, False)
                    manifest.append((item.arcname, digest, size, item.record,
                                     "是" if digest == item.sha256 else "否（与登记的哈希不同）"))
                progress.step()
            count, head = chain.head_of(session)
            notes = _notes(settings, kind, period, counts, manifest, missing, gaps,
                           bool(reg.gaps), count, head)
            name = names.unique("", "说明.txt")
            manifest.append((name, *_put(zf, name, notes.encode("utf-8")), "说明"))
            zf.writestr(names.unique("", "manifest.csv"), _csv_bytes(
                ["文件路径", "SHA-256", "大小（字节）", "来源记录", "与登记哈希一致"],
                [(path, digest, size, record, *rest)
                 for path, digest, size, record, *rest in manifest]),
                compress_type=zipfile.ZIP_DEFLATED)
        digest, size = _file_digest(partial)
        os.replace(partial, os.path.join(folder, stored))
    except BaseException:
        progress.close()
        if os.path.exists(partial):
            os.remove(partial)
        raise
    progress.write(status="done", done=total, stored_name=stored, size=size, sha256=digest,
                   finished_at=utcnow(), error="")
    progress.close()
    session.rollback()  # end the build's read: the pack is read afresh
    return session.get(ReportPack, pack_id)


def _file_digest(path):
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _notes(settings, kind, period, counts, manifest, missing, gaps, has_gaps, count, head):
    rows, files = sum(counts.values()), [m for m in manifest if m[0].startswith(EVIDENCE + "/")]
    generated = utcnow().astimezone(_zone(settings))
    lines = [f"{settings.name} 报告包", f"类型：{KIND_LABELS[kind]}",
             f"统计期间：{period.start:%Y-%m-%d} 至 {period.end:%Y-%m-%d}",
             f"生成时间：{generated:%Y-%m-%d %H:%M}（{settings.timezone}）", ""]
    if rows == 0 and not files:
        lines += ["本期间没有任何台账记录，也没有证明材料：这是一个空的报告包。", ""]
    lines.append(f"台账：{len(counts)} 张表，共 {rows} 行（台账.xlsx）")
    lines += [f"  {title}：{n} 行" for title, n in counts.items()]
    lines.append(f"证明材料：{len(files)} 个文件，共 {sum(m[2] for m in files):,} 字节"
                 f"（{EVIDENCE}/指标/台账/记录/文件）")
    if missing:
        lines.append(f"缺失：{len(missing)} 个已登记的文件在存储中找不到，未能打包：")
        lines += [f"  {m.arcname}（登记 SHA-256 {m.sha256}）" for m in missing]
    if has_gaps:
        lines.append(f"缺证据：{len(gaps)} 条记录仍缺少证明材料（缺证据清单.csv）")
    lines += ["", f"审计记录：共 {count} 条；链首哈希（SHA-256）：{head or '—'}",
              "校验：manifest.csv 列出包内每个文件的 SHA-256 与大小（本文件与 manifest.csv 除外）；"
              "可用 flask audit verify 核对审计链。", ""]
    return "\r\n".join(lines)


def _zone(settings):
    from zoneinfo import ZoneInfo
    return ZoneInfo(settings.timezone or "Asia/Shanghai")


def run_build(app, pack_id):
    """The task: build the pack; any failure is recorded on the pack, never raised."""
    from community.extensions import db
    from community.registry import registry
    from community.report import render_html, write_pdf
    from community.settings import community_zone, current_settings, targets

    session = db.session
    try:
        settings = current_settings(session)
        today = utcnow().astimezone(community_zone(session)).date()
        return build_pack(session, registry(app), pack_id, folder=app.config["PACK_FOLDER"],
                          upload_folder=app.config["UPLOAD_FOLDER"], targets=targets(session),
                          settings=settings, today=today, render_html=render_html,
                          write_pdf=write_pdf)
    except Exception as exc:  # noqa: BLE001 - the pack says it failed; the page never 500s
        log.exception("report pack %s failed", pack_id)
        session.rollback()
        session.execute(update(ReportPack).where(ReportPack.id == pack_id).values(
            status="failed", error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=utcnow()))
        session.commit()
        return None


def register(app, reg):
    """Where packs are kept, how the trail names them, their labels and menu entry."""
    from community.registry import NavItem
    from community import tasks
    # Beside the uploads (the instance folder in production, a test's own folder); the
    # web app and a separate task consumer must name the same folder.
    app.config.setdefault("PACK_FOLDER", os.environ.get("PACK_FOLDER") or os.path.join(
        os.path.dirname(os.path.abspath(app.config["UPLOAD_FOLDER"])), "packs"))
    tasks.init_app(app)
    tasks.add_task(app, tasks.BUILD_PACK, run_build)
    reg.add_messages(MESSAGES)
    reg.add_labels({"pack_kind": dict(KIND_LABELS), "pack_status": dict(STATUS_LABELS)})
    reg.add_audit_words(objects={"report_pack": "报告包"},
                        actions={"report_pack.downloaded": "下载了报告包"})
    reg.add_nav(NavItem("community.packs", "报告包", may_use_packs))


def visible_packs(session, user, today, limit=50):
    """The latest packs the user may have."""
    packs = session.scalars(select(ReportPack).order_by(ReportPack.id.desc()).limit(limit)).all()
    return [p for p in packs if may_have(session, user, p, today)]
