"""The task queue (huey): work too long for a request, such as building a report pack.

Each app makes its own huey (`app.extensions["opc_huey"]`), whose tasks run inside
that app's context:

- with `REDIS_URL` set (production) tasks wait in Redis for a separate consumer,
  `huey_consumer community.tasks.huey`, which builds the app the way `flask` does
  (the module named by FLASK_APP, default `app`) the first time it asks for `huey`;
- without it (`make run`, development) they wait in a SQLite file in the instance
  folder and a consumer runs in threads inside the web process, started the first
  time a request queues or watches a task: never in the reloader's watching parent,
  which serves no request;
- `HUEY_IMMEDIATE` (the default under TESTING) runs a task at once in the caller's
  thread.
"""
import atexit
import importlib
import logging
import os
import threading

from huey import RedisHuey, SqliteHuey
from huey.consumer import Consumer

log = logging.getLogger(__name__)
NAME = "opc-community"
BUILD_PACK = "community.build_pack"


class EmbeddedConsumer(Consumer):
    """huey's consumer in threads of the web process: it leaves the process's signals
    (Ctrl-C, gunicorn's TERM) to their owner."""

    def _set_signal_handlers(self):
        pass


def init_app(app):
    """Make the app's huey from its configuration (or the environment) and its tasks."""
    app.config.setdefault("REDIS_URL", os.environ.get("REDIS_URL") or None)
    # Beside the uploads: the instance folder in production, a test's own folder.
    app.config.setdefault("HUEY_SQLITE", os.path.join(
        os.path.dirname(os.path.abspath(app.config["UPLOAD_FOLDER"])), "huey.sqlite3"))
    # Tests run a task in the caller's thread unless they ask for a real consumer.
    app.config.setdefault("HUEY_IMMEDIATE", bool(app.config.get("TESTING")))
    app.config.setdefault("HUEY_WORKERS", 2)
    # The embedded consumer unless told otherwise; with Redis a separate one by default.
    app.config.setdefault("HUEY_EMBEDDED_CONSUMER",
                          os.environ.get("HUEY_EMBEDDED_CONSUMER",
                                         "0" if app.config["REDIS_URL"] else "1") == "1")
    immediate = bool(app.config["HUEY_IMMEDIATE"])
    if app.config["REDIS_URL"]:
        huey = RedisHuey(NAME, url=app.config["REDIS_URL"], immediate=immediate)
    else:
        huey = SqliteHuey(NAME, filename=app.config["HUEY_SQLITE"], immediate=immediate)

    app.extensions["opc_huey"] = huey
    app.extensions["opc_tasks"] = {}
    app.extensions["opc_consumer"] = {"lock": threading.Lock(), "consumer": None}


def add_task(app, name, work):
    """Make `work(app, *args)` a task of the app's huey, run inside an app context."""
    def run(*args):
        with app.app_context():
            work(app, *args)
    run.__name__ = name.rpartition(".")[2]
    app.extensions["opc_tasks"][name] = huey_of(app).task(name=name)(run)


def huey_of(app):
    return app.extensions["opc_huey"]


def enqueue(app, name, *args):
    """Queue a task (in immediate mode: run it now); the embedded consumer starts first."""
    ensure_consumer(app)
    return app.extensions["opc_tasks"][name](*args)


def ensure_consumer(app):
    """Start the embedded consumer once, when this app runs one (not in immediate mode)."""
    state = app.extensions["opc_consumer"]
    if state["consumer"] is not None or huey_of(app).immediate \
            or not app.config["HUEY_EMBEDDED_CONSUMER"]:
        return state["consumer"]
    with state["lock"]:
        if state["consumer"] is None:
            consumer = EmbeddedConsumer(huey_of(app), workers=app.config["HUEY_WORKERS"],
                                        worker_type="thread", periodic=False,
                                        check_worker_health=False, initial_delay=0.1,
                                        max_delay=1.0)
            consumer.start()
            state["consumer"] = consumer
            atexit.register(stop_consumer, app, graceful=False)
            log.info("embedded task consumer started (%s)", type(huey_of(app)).__name__)
    return state["consumer"]


def stop_consumer(app, graceful=True):
    """Stop the embedded consumer (at exit, or when a test is done with it)."""
    state = app.extensions["opc_consumer"]
    with state["lock"]:
        consumer, state["consumer"] = state["consumer"], None
    if consumer is not None:
        consumer.stop(graceful=graceful)


_consumer_app = None


def __getattr__(name):
    """`community.tasks.huey` for `huey_consumer`: the huey of an app built here once."""
    global _consumer_app
    if name != "huey":
        raise AttributeError(name)
    if _consumer_app is None:
        target = os.environ.get("FLASK_APP", "app")
        module, _, factory = target.partition(":")
        _consumer_app = getattr(importlib.import_module(module), factory or "create_app")()
    return huey_of(_consumer_app)
