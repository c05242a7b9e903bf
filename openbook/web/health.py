"""Health checks for load balancers and operators (public)."""

from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.http import require_safe

from openbook import transparency
from openbook.store.database import Store, pending_migrations


@require_safe
def healthz(request):
    """Alive: the server answers. Touches nothing else."""
    return JsonResponse({"status": "alive"})


@require_safe
def readyz(request):
    """Ready: the database answers and its schema is current; 503 saying why otherwise.

    A late tree head is a warning, not "not ready": the signer is another process, and taking
    every web server out of service because it stopped would stop reads and publishing too
    (docs/operators.md, "Monitoring")."""
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
    try:
        late = transparency.overdue(Store())
    except DatabaseError as error:
        return JsonResponse(
            {"status": "not-ready", "reason": f"the database does not answer: {error}"}, status=503
        )
    if late:
        return JsonResponse({"status": "ready", "warnings": [late]})
    return JsonResponse({"status": "ready"})
