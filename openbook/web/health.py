"""Health checks for load balancers and operators (public)."""

from django.db import DatabaseError
from django.http import JsonResponse

from openbook.store.database import Store, pending_migrations


def healthz(request):
    """Alive: the server answers. Touches nothing else."""
    return JsonResponse({"status": "alive"})


def readyz(request):
    """Ready: the database answers and its schema is current; 503 saying why otherwise."""
    try:
        pending = pending_migrations(Store())
    except DatabaseError as error:
        return JsonResponse(
            {"status": "not-ready", "reason": f"the database does not answer: {error}"}, status=503
        )
    if pending:
        return JsonResponse(
            {
                "status": "not-ready",
                "reason": f"{len(pending)} migration(s) not applied: run `openbook migrate`",
            },
            status=503,
        )
    return JsonResponse({"status": "ready"})
