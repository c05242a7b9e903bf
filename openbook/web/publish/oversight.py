"""The email to oversight about awards a publish request made to suppliers on the central
debarment list (openbook.oversight; docs/registers.md, "Awards to debarred suppliers"), in the
language of ``OPENBOOK_OVERSIGHT_LANGUAGE``. Sent after the request's releases are stored:
whatever becomes of it, the answer to the publisher is the same."""

from email.message import EmailMessage
from urllib.parse import quote

from django.http import HttpRequest

from openbook import config, mail, oversight
from openbook.publishing.exclusion import Flag
from openbook.store.database import Store
from openbook.store.publishers import Organisation
from openbook.web.pages import i18n
from openbook.web.pages.i18n import _, ngettext
from openbook.web.pages.links import email_site
from openbook.web.publish.auth import actor

# A supplier's name in a subject line is cut to this many characters.
SUBJECT_NAME = 80


def tell(request: HttpRequest, organisation: Organisation, flags: list[Flag]) -> None:
    """Email oversight about ``flags``, the awards ``organisation`` just published; each
    message not sent is audited and logged, never raised (openbook.oversight.tell)."""
    if not flags:
        return

    def write(to: str) -> EmailMessage:
        return message(to, organisation, flags, email_site(request))

    oversight.tell(Store(), flags, write, organisation_id=organisation.id, actor=actor(request))


def message(to: str, organisation: Organisation, flags: list[Flag], site: str) -> EmailMessage:
    """One message for one address: each award, its supplier, the debarment entry in force,
    the reason the authority gave, and links to the process and the entry."""
    try:
        language = config.oversight_language()
    except config.ConfigurationError:
        language = i18n.ENGLISH  # the message still goes; the setting is refused where read
    token = i18n.use(language)
    try:
        parts = [
            ngettext(
                "%(publisher)s published an award to a supplier on the central debarment list, "
                "giving its reason.",
                "%(publisher)s published %(num)s awards to suppliers on the central debarment "
                "list, giving its reasons.",
                len(flags),
                publisher=organisation.name,
            )
        ]
        parts += [_award(flag, site, language) for flag in flags]
        parts += [
            _(
                "The Procurement Act 2023 lets an authority award to an excluded supplier only "
                "for a reason it states. The award is published and flagged on the process and "
                "on the register: %(link)s",
                link=f"{site}/registers/debarment?lang={language}",
            ),
            _("Open contracting"),
        ]
        first = flags[0]
        name = " ".join(first.name.split())
        if len(name) > SUBJECT_NAME:
            name = name[: SUBJECT_NAME - 1] + "…"
        subject = ngettext(
            "Award to a debarred supplier: %(supplier)s",
            "%(num)s awards to debarred suppliers, the first to %(supplier)s",
            len(flags),
            supplier=name,
        )
        return mail.message(to, subject, "\n\n".join(parts) + "\n", language=language)
    finally:
        i18n.reset(token)


def _award(flag: Flag, site: str, language: str) -> str:
    entry = flag.entry
    ground = entry.entry.get("ground", {})
    listed = {
        "entry": entry.entry_id,
        "reference": ground.get("reference", ""),
        "start": entry.start_date,
        "end": entry.end_date,
    }
    lines = [
        _("Process: %(ocid)s", ocid=flag.ocid),
        _(
            "Award: %(award)s of %(day)s (release %(release)s)",
            award=flag.award_id,
            day=flag.day,
            release=flag.release_id,
        ),
        _("Supplier: %(name)s (%(identifier)s)", name=flag.name, identifier=flag.supplier),
        _(
            "Debarment entry: %(entry)s, a mandatory exclusion ground (%(reference)s), from "
            "%(start)s to %(end)s",
            **listed,
        )
        if ground.get("type") == "mandatory"
        else _(
            "Debarment entry: %(entry)s, a discretionary exclusion ground (%(reference)s), "
            "from %(start)s to %(end)s",
            **listed,
        ),
        _("The reason given: %(reason)s", reason=flag.rationale),
        _(
            "The process: %(link)s",
            link=f"{site}/processes/{quote(flag.ocid, safe='')}?lang={language}",
        ),
        _(
            "The debarment entry: %(link)s",
            link=f"{site}/registers/debarment/{quote(entry.entry_id, safe='')}?lang={language}",
        ),
    ]
    return "\n".join(lines)
