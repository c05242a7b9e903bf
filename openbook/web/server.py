"""Running the platform under gunicorn, a production WSGI server."""

import gc

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from openbook.web.wsgi import application

        return application


def run(host: str, port: int, workers: int) -> int:
    # The workers are forked from this process: a database connection it opened (to migrate)
    # would be shared by all of them, and their queries and answers would cross.
    _close_connections()
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "accesslog": "-",
            "timeout": 60,
            "graceful_timeout": 10,
            "post_fork": _after_fork,
            "post_worker_init": _after_worker_init,
        }
    ).run()
    return 0


def _after_fork(server, worker) -> None:
    _close_connections()  # whatever the master opened since, each worker opens its own


def _after_worker_init(worker) -> None:
    """Once a worker has loaded the application, what it loaded (modules, classes, views:
    about 200,000 objects, kept for the worker's life) is frozen out of the cyclic garbage
    collector's walks (``gc.freeze``). Otherwise every full collection walks them all: 160 ms,
    which a worker serving the change feed paid about every 40 pages, 4 ms a page (a page makes
    and drops thousands of objects; docs/performance.md). Frozen objects are never collected:
    garbage among them at this point, if any, stays for the worker's life."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view now, not at the first request)
    gc.freeze()


def _close_connections() -> None:
    from django.db import connections

    connections.close_all()
