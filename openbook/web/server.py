"""Running the platform under gunicorn, a production WSGI server."""

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
        }
    ).run()
    return 0


def _after_fork(server, worker) -> None:
    _close_connections()  # whatever the master opened since, each worker opens its own


def _close_connections() -> None:
    from django.db import connections

    connections.close_all()
