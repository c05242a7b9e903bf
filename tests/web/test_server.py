"""The workers of ``openbook serve`` (openbook.web.server); tests/test_cli.py runs the server."""

import gc

from openbook.web import server


def test_a_worker_keeps_what_it_loaded_out_of_the_garbage_collectors_walks():
    """After loading the application a worker freezes what it holds (gc.freeze): a full
    collection then walks only what requests made, not every module, class and view."""
    assert gc.get_freeze_count() == 0
    try:
        server._after_worker_init(worker=None)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
