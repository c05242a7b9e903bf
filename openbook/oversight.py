"""Telling oversight by email of awards published to suppliers on the central debarment list
(issue 5; docs/registers.md, "Awards to debarred suppliers").

The Procurement Act 2023 lets an authority award to an excluded supplier only for a reason it
states, and the platform publishes such an award, flags it and records
``oversight.excluded-award`` in the audit trail as part of the publication
(openbook.publishing.exclusion). Once the publication is stored, ``tell`` emails the addresses
of ``OPENBOOK_OVERSIGHT_EMAIL``, one message each. The publication never depends on the email:
a message that cannot be sent (no mail server, a refused address, the platform's address not
configured for the links) is recorded in the audit trail as ``NOT_EMAILED`` and logged, and
the award stays published, flagged and listed for oversight to read.
"""

import logging
from collections.abc import Callable, Sequence
from email.message import EmailMessage

from openbook import config, mail
from openbook.publishing.exclusion import Flag
from openbook.publishing.publishers import Actor
from openbook.store import audit
from openbook.store.database import Store

logger = logging.getLogger(__name__)

EMAILED = "oversight.emailed"
NOT_EMAILED = "oversight.not-emailed"


def tell(
    store: Store,
    flags: Sequence[Flag],
    write: Callable[[str], EmailMessage],
    *,
    organisation_id: int,
    actor: Actor,
) -> list[str]:
    """Email each oversight address ``write(address)``, the message about ``flags`` (the awards
    one request published). Returns the addresses it was sent to. Never raises for a message
    not sent: each failure is audited (``NOT_EMAILED``, with the addresses and why) and logged;
    the addresses sent to are audited as ``EMAILED``."""
    if not flags:
        return []
    sent: list[str] = []
    failed: dict[str, str] = {}
    try:
        addresses = config.oversight_emails()
    except config.ConfigurationError as error:
        addresses, failed["OPENBOOK_OVERSIGHT_EMAIL"] = [], str(error)
    if addresses:
        try:
            with mail.sender() as sender:
                for position, address in enumerate(addresses):
                    try:
                        sender.send(write(address))
                    except mail.MailError as error:
                        if error.fatal:
                            failed |= dict.fromkeys(addresses[position:], str(error))
                            break
                        failed[address] = str(error)
                    else:
                        sent.append(address)
        except config.ConfigurationError as error:  # the sender, or the links' address
            failed |= dict.fromkeys([a for a in addresses if a not in sent], str(error))
    awards = [_award(flag) for flag in flags]
    subject = " ".join(sorted({flag.ocid for flag in flags}))
    if sent:
        audit.record(
            store,
            actor=actor.who,
            action=EMAILED,
            subject=subject,
            organisation_id=organisation_id,
            address=actor.address,
            detail={"to": sent, "awards": awards},
        )
    if failed:
        logger.error(
            "oversight was not emailed about awards to debarred suppliers of %s: %s",
            subject,
            "; ".join(f"{to}: {why}" for to, why in failed.items()),
        )
        audit.record(
            store,
            actor=actor.who,
            action=NOT_EMAILED,
            subject=subject,
            organisation_id=organisation_id,
            address=actor.address,
            detail={"failed": failed, "awards": awards},
        )
    return sent


def _award(flag: Flag) -> dict:
    return {
        "ocid": flag.ocid,
        "releaseId": flag.release_id,
        "awardId": flag.award_id,
        "supplier": flag.supplier,
        "debarmentEntry": flag.entry_id,
    }
