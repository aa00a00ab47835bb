"""Database plumbing shared by every package: SQLite pragmas, write transactions,
UTC timestamps and the one place a request's work is committed."""
import sqlite3
from datetime import datetime, timezone

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.types import DateTime, TypeDecorator

IMMEDIATE = "opc_sqlite_immediate"


def configure_engine_options(app):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    if uri.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": 30})
    else:
        options.setdefault("pool_pre_ping", True)


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        _postgresql_on_connect(dbapi_connection)
        return
    # We emit BEGIN ourselves (see _sqlite_begin), so pysqlite must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _postgresql_on_connect(dbapi_connection):
    # No JIT: PostgreSQL compiles a plan whose estimated cost passes jit_above_cost
    # (the dashboard's passes over every firm at a large community), which takes
    # 10-20 ms and is never repaid by queries that themselves run in tens of ms. Set on
    # the session, so that options in DATABASE_URL or PGOPTIONS stay as they are.
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    # A write path asks for BEGIN IMMEDIATE so that its check-then-write cannot
    # interleave with another writer; plain reads stay deferred.
    immediate = bool(conn.get_execution_options().get(IMMEDIATE))
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
    # What write_from_here needs to know of this transaction.
    conn.info[IMMEDIATE] = immediate
    conn.info["changes_at_begin"] = conn.connection.driver_connection.total_changes


def begin_write(session):
    """Start the session's transaction as a serialised write (SQLite: BEGIN IMMEDIATE).

    Must run before the session touches the database; on PostgreSQL it is a no-op
    and rules lock rows with SELECT … FOR UPDATE instead.
    """
    if hasattr(session, "registry"):  # a scoped_session: act on its current session
        session = session()
    if session.in_transaction():
        return
    session.connection(execution_options={IMMEDIATE: True})


def write_from_here(session):
    """Serialise the session's transaction from here on, keeping what it has read.

    For a request that reads first (the user, the form's choices) and takes the
    write lock only for its decision and insert. SQLite: the deferred read
    transaction ends and BEGIN IMMEDIATE starts on the same connection, so the
    decision reads the latest data; rows loaded before stay loaded (they are what
    the form was built from, as a page read a moment earlier would be). PostgreSQL:
    nothing to do, rules lock rows with SELECT … FOR UPDATE.
    """
    if hasattr(session, "registry"):
        session = session()
    if not session.in_transaction():
        return begin_write(session)
    connection = session.connection()
    if connection.dialect.name != "sqlite" or connection.info.get(IMMEDIATE):
        return None
    if session.new or session.dirty or session.deleted or (
            connection.connection.driver_connection.total_changes
            != connection.info.get("changes_at_begin")):
        raise RuntimeError("write_from_here after the transaction wrote")
    connection.exec_driver_sql("ROLLBACK")  # a read transaction: nothing to keep
    connection.exec_driver_sql("BEGIN IMMEDIATE")
    connection.info[IMMEDIATE] = True
    return None


def lock_row(session, model, ident):
    """Lock one row for the rest of the transaction (PostgreSQL); SQLite is
    already serialised by begin_write, so there it is a plain (often cached) get.
    On both, a row the request loaded before keeps the values it was loaded with:
    what a rule decides under the lock it reads with its own queries."""
    from sqlalchemy import select
    if session.get_bind().dialect.name == "sqlite":
        return session.get(model, ident)
    return session.execute(
        select(model).where(model.id == ident).with_for_update()).scalar_one_or_none()


def lock_history(session, parent, collection):
    """Before a dated history (a desk's states, a firm's licence facts) is changed:
    lock its parent row and read the history afresh under the lock (PostgreSQL), so
    that two people dating changes to one desk or firm at once cannot both leave a row
    open-ended (the readers count one row in effect per day). SQLite's write
    transaction is serialised already."""
    if session.get_bind().dialect.name == "sqlite":
        return
    lock_row(session, type(parent), parent.id)
    session.refresh(parent, [collection])


def utcnow():
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored in UTC on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
