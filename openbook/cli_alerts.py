"""``openbook alerts send``: the email alerts due, one email per subscription (docs/alerts.md).
A thin wrapper over openbook.alerts, with the emails written by the pages' alert emails and sent
by the sender ``OPENBOOK_MAIL_SENDER`` chooses (openbook.mail)."""

import sys

import orjson


def add_commands(commands) -> None:
    alerts = commands.add_parser(
        "alerts",
        help="send the email alerts of saved searches, processes and organisations",
        description="Email alerts (docs/alerts.md): subscribers confirm through the pages; "
        "this command, run by cron, sends what is new to them.",
    )
    actions = alerts.add_subparsers(title="actions", metavar="ACTION")
    send = actions.add_parser(
        "send",
        help="send each confirmed subscription the processes new to it, one email each",
        description="For each confirmed subscription that is due (immediate ones every run, "
        "daily digests once a UK day), email the processes whose latest notice came after the "
        "last one it covered, then remember how far it got. Idempotent: run again, nothing new "
        "is sent. A failed email is sent again by the next run. Unconfirmed subscriptions older "
        "than 7 days are deleted. Exits 1 if any email failed.",
    )
    send.add_argument(
        "--site-url",
        metavar="URL",
        help="the platform's address for links in the emails (default: OPENBOOK_SITE_URL)",
    )
    send.add_argument("--json", action="store_true", help="print the report as JSON")
    send.set_defaults(run=_send)


def _send(arguments) -> int:
    from openbook.cli import _store

    store = _store()
    from openbook import alerts, config, mail
    from openbook.web.pages import alerts_email
    from openbook.web.pages.alerts import read_search

    site = (arguments.site_url or "").strip().rstrip("/") or alerts.site_url()
    if not site:
        raise config.ConfigurationError(
            "set OPENBOOK_SITE_URL (or give --site-url) to the platform's address, such as "
            "https://contracts.example.gov.uk: the emails link to its pages"
        )
    with mail.sender() as sender:
        report = alerts.send_alerts(
            store,
            lambda alert: sender.send(alerts_email.alert(alert, site)),
            read_search=read_search,
        )
    if arguments.json:
        summary = {
            name: getattr(report, name)
            for name in ("sent", "nothing_new", "not_due", "failed", "removed", "position")
        }
        summary["stopped"] = report.stopped
        summary["failures"] = report.failures
        sys.stdout.buffer.write(orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        print(
            f"Sent {report.sent} alert emails, covering the log up to seq {report.position}; "
            f"{report.nothing_new} with nothing new, {report.not_due} daily digests not due, "
            f"{report.failed} failed, {report.removed} unconfirmed subscriptions deleted."
        )
        for failure in report.failures:
            print(f"openbook alerts send: {failure}", file=sys.stderr)
        if report.stopped:
            print(f"openbook alerts send: stopped: {report.stopped}", file=sys.stderr)
    return 1 if report.failed else 0
