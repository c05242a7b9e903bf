"""``openbook redact`` (docs/cli.md): a thin wrapper over openbook.redaction, for platform
administrators at the command line; recorded in the audit trail as made by ``cli:<system user>``.
"""

import argparse
import sys

import orjson


def add_commands(commands) -> None:
    redact = commands.add_parser(
        "redact",
        help="remove a statement's body by a signed, public redaction",
        description="Remove the body of log entry SEQ where the law requires it (personal data, "
        "a court order): a redaction statement naming the entry, its hashes, the reason, the "
        "legal authority, the time and you is signed with the log's key and appended, and the "
        "body is emptied in the same transaction. The entry, its hashes and every proof stay; "
        "the redaction is public (GET /api/log/redactions). Its process is compiled again "
        "without it. Refused for an entry redacted already and for a redaction. Exits 1 if "
        "refused, with the reason.",
    )
    redact.add_argument("seq", type=_sequence, metavar="SEQ", help="the entry's sequence number")
    redact.add_argument(
        "--reason", required=True, help="why the body goes, in words the public reads"
    )
    redact.add_argument(
        "--authority", help="the legal authority: a court order's reference, a section of an Act"
    )
    redact.add_argument("--json", action="store_true", help="print the redaction as JSON")
    redact.set_defaults(run=_redact)


def _sequence(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise argparse.ArgumentTypeError(f"{text!r} is not a log sequence number (0, 1, ...)")
    return int(text)


def _redact(arguments) -> int:
    from openbook.cli_publishing import _actor, _store

    store = _store()  # Django is set up here, before the use case is imported
    from openbook.redaction import RedactionRefused, redact

    try:
        redacted = redact(
            store, arguments.seq, arguments.reason, _actor(), authority=arguments.authority
        )
    except RedactionRefused as refused:
        print(f"openbook redact: {refused.message}", file=sys.stderr)
        return 1
    answer = redacted.as_dict()
    if arguments.json:
        sys.stdout.buffer.write(orjson.dumps(answer, option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    target = answer["redacted"]
    print(
        f"openbook: the body of entry {target['sequence']} ({target['register']} "
        f"{target['record_key']} statement {target['statement_id']!r}, body SHA-256 "
        f"{target['body_sha256']}) is redacted by entry {answer['redaction']['sequence']}, "
        f"signed by key {answer['redaction']['key_id'][:16]}..."
    )
    return 0
