"""The pages every public service publishes about itself: its accessibility statement, privacy
notice and cookies, and how anyone can verify the public log (docs/log-format.md). Each page's
facts (dates, cookies, the live tree head) are its context, so the JSON twin carries them."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from openbook import config, transparency
from openbook.store.database import Store
from openbook.store.log import log_size
from openbook.web.pages import i18n
from openbook.web.pages.i18n import _
from openbook.web.pages.language import YEAR
from openbook.web.pages.rendering import page

# When the accessibility statement was prepared and last reviewed (it is reviewed when the
# pages change, and at least once a year).
PREPARED = "2026-11-30"
REVIEWED = "2026-11-30"


def _operator() -> str:
    """Who runs this instance: the publisher named in its settings (OPENBOOK_PUBLISHER_NAME)."""
    return config.publisher_name()


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return page(
        request,
        "pages/service/accessibility.html",
        accessibility_context(),
        title=_("Accessibility statement"),
    )


def accessibility_context() -> dict:
    return {
        "operator": _operator(),
        "standard": "WCAG 2.2 AA",
        "status": "partially compliant",
        "tested": ["axe-core (WCAG 2.2 A and AA rules) in Chromium", "W3C Nu HTML Checker"],
        "prepared": PREPARED,
        "reviewed": REVIEWED,
    }


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return page(request, "pages/service/privacy.html", privacy_context(), title=_("Privacy notice"))


def privacy_context() -> dict:
    return {
        "controller": _operator(),
        "lawfulBasis": "UK GDPR Article 6(1)(e): public task",
        "regulator": {
            "name": "Information Commissioner's Office",
            "url": "https://ico.org.uk/make-a-complaint/",
        },
    }


@require_safe
def cookies(request: HttpRequest) -> HttpResponse:
    return page(request, "pages/service/cookies.html", cookies_context(), title=_("Cookies"))


def cookies_context() -> dict:
    """The only cookies the service sets: each is essential, none is for analytics."""
    return {
        "cookies": [
            {
                "name": i18n.COOKIE,
                "purpose": _("Remembers whether you chose English or Welsh"),
                "expires": _("1 year"),
                "seconds": YEAR,
            },
            {
                "name": settings.CSRF_COOKIE_NAME,
                "purpose": _("Stops other websites sending forms to this service in your name"),
                "expires": _("1 year"),
                "seconds": settings.CSRF_COOKIE_AGE,
            },
            {
                "name": settings.SESSION_COOKIE_NAME,
                "purpose": _("Keeps a publisher signed in"),
                "expires": _(
                    "When you sign out or close your browser, or after %(minutes)s minutes "
                    "without use",
                    minutes=settings.SESSION_COOKIE_AGE // 60,
                ),
                "seconds": settings.SESSION_COOKIE_AGE,
            },
        ],
        "analytics": False,
    }


@require_safe
def verify(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri("/").rstrip("/")
    return page(
        request,
        "pages/service/verify.html",
        verify_context(Store(), base),
        title=_("Verify the log"),
    )


def verify_context(store: Store, base: str) -> dict:
    """The log as it stands, and the addresses a reader checks it with (``base``: this
    service's address, for the worked example)."""
    head = transparency.latest_tree_head(store)
    keys = transparency.public_keys(store)
    size = head["treeSize"] if head else 0
    return {
        "logSize": log_size(store),
        "treeHead": head,
        "keys": [
            {name: key[name] for name in ("keyId", "algorithm", "status", "created", "retired")}
            for key in keys
        ],
        "origin": config.log_origin(),
        "base": base,
        "links": {
            "treeHead": "/api/log/tree-head",
            "keys": "/api/log/keys",
            "inclusion": f"/api/log/proof/inclusion?sequence=0&tree_size={size}" if size else None,
            "consistency": f"/api/log/proof/consistency?first=1&second={size}" if size else None,
            "feed": "/api/ocds/releases?limit=1",
        },
    }
