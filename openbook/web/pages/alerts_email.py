"""The alert emails (docs/alerts.md), in the subscriber's language: the confirmation link, the
note that an address already has a subscription, and the alert listing new processes. Plain
text, each with its one-click unsubscribe link where there is a subscription to leave."""

from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from urllib.parse import quote

from openbook import alerts, mail
from openbook.store.alerts import Subscription
from openbook.web.pages import formats, i18n
from openbook.web.pages.i18n import _, ngettext

# A label in a subject line is cut to this many characters.
SUBJECT_LABEL = 80


@contextmanager
def language_of(subscription: Subscription) -> Iterator[None]:
    token = i18n.use(subscription.language)
    try:
        yield
    finally:
        i18n.reset(token)


def address(site: str, path: str, subscription: Subscription) -> str:
    """A link for the subscriber, to a page in their language."""
    joiner = "&" if "?" in path else "?"
    return f"{site}{path}{joiner}lang={subscription.language}"


def unsubscribe_link(site: str, token: str) -> str:
    """The one-click unsubscribe address (RFC 8058 posts to it; a browser gets a button)."""
    return f"{site}/alerts/unsubscribe/{token}"


def followed_page(subscription: Subscription) -> str:
    """The page of what the subscription follows."""
    if subscription.kind == "process":
        return f"/processes/{quote(subscription.target, safe='')}"
    if subscription.kind == "organisation":
        return f"/organisations/{quote(subscription.target, safe='')}"
    return f"/search?{subscription.target}" if subscription.target else "/search"


def _short(label: str) -> str:
    label = " ".join(label.split())
    return label if len(label) <= SUBJECT_LABEL else label[: SUBJECT_LABEL - 1] + "…"


def confirmation(subscribed: alerts.Subscribed, site: str) -> EmailMessage:
    subscription = subscribed.subscription
    assert subscribed.confirm_token is not None
    with language_of(subscription):
        confirm = address(site, f"/alerts/confirm/{subscribed.confirm_token}", subscription)
        text = "\n\n".join(
            [
                _("Confirm that you want email alerts about:"),
                subscription.label,
                _("Confirm your email alerts: %(link)s", link=confirm),
                _(
                    "The link works for %(days)s days. If you did not ask for these alerts, "
                    "ignore this email: nothing more will be sent to you.",
                    days=alerts.CONFIRM_DAYS,
                ),
                _("Open contracting"),
            ]
        )
        return mail.message(
            subscription.email,
            _("Confirm your email alerts: %(label)s", label=_short(subscription.label)),
            text + "\n",
            language=subscription.language,
        )


def already(subscribed: alerts.Subscribed, site: str) -> EmailMessage:
    """Told instead of a confirmation, so that the form never says whether an address has a
    subscription: only the address's owner learns it."""
    subscription = subscribed.subscription
    with language_of(subscription):
        leave = unsubscribe_link(site, subscribed.unsubscribe_token)
        text = "\n\n".join(
            [
                _("Someone asked for email alerts to this address about:"),
                subscription.label,
                _("You already get these alerts, so nothing has changed."),
                _("To stop them: %(link)s", link=leave),
                _("Open contracting"),
            ]
        )
        return mail.message(
            subscription.email,
            _("You already get these email alerts: %(label)s", label=_short(subscription.label)),
            text + "\n",
            unsubscribe=leave,
            language=subscription.language,
        )


def alert(found: alerts.Alert, site: str) -> EmailMessage:
    """The processes new to a subscription, each with its buyer, value and page."""
    subscription = found.subscription
    with language_of(subscription):
        leave = unsubscribe_link(site, found.unsubscribe_token)
        count = len(found.items)
        parts = [
            ngettext(
                "%(num)s contracting process has new notices about:",
                "%(num)s contracting processes have new notices about:",
                count,
                num=count,
            ),
            subscription.label,
        ]
        for item in found.items:
            lines = [item.title or item.ocid]
            lines.append(_("Buyer: %(name)s", name=item.buyer_name or _("not named")))
            value = formats.money(item.value_amount, item.value_currency)
            if value:
                lines.append(_("Value: %(value)s", value=value))
            lines.append(address(site, f"/processes/{quote(item.ocid, safe='')}", subscription))
            parts.append("\n".join(lines))
        if found.more:
            parts.append(
                _(
                    "There are more than %(num)s: see them all at %(link)s",
                    num=count,
                    link=address(site, followed_page(subscription), subscription),
                )
            )
        parts += [
            _("You get these alerts at most once a day.")
            if subscription.frequency == "daily"
            else _("You get these alerts as new notices are published."),
            _("To stop them: %(link)s", link=leave),
            _("Open contracting"),
        ]
        return mail.message(
            subscription.email,
            _("New notices: %(label)s", label=_short(subscription.label)),
            "\n\n".join(parts) + "\n",
            unsubscribe=leave,
            language=subscription.language,
        )
