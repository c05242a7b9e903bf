"""The verifiable log's commands (docs/cli.md): ``openbook verify``, ``openbook log sign``,
``openbook log rotate-key``. Thin wrappers over openbook.transparency."""

import argparse
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson

from openbook import config


def add_commands(commands) -> None:
    verify = commands.add_parser(
        "verify",
        help="check a log against its signed tree heads: this database, a snapshot or a URL",
        description="Check a log against the tree heads it signed (docs/log-format.md), and say "
        "exactly which statement differs (its seq, the field, the value expected and found). "
        "With no target or --database: this platform's database (every leaf hash and body "
        "hash recomputed, every signed head's root and signature checked). With a directory: a "
        "snapshot made by `openbook export`. With a URL: another openbook, through its public "
        "API (keys and heads seen before are kept in verify-state.json in the data directory; "
        "--against compares a local copy of its log). Exits 1 if anything differs, 2 if the "
        "target cannot be read.",
    )
    verify.add_argument(
        "target", nargs="?", metavar="DIR|URL", help="a snapshot directory or an openbook's URL"
    )
    verify.add_argument(
        "--database", action="store_true", help="check this platform's database (the default)"
    )
    verify.add_argument(
        "--against",
        metavar="DIR|database",
        help="with a URL: also compare this snapshot directory, or `database` (this database), "
        "with the remote log, and find the first entry that differs",
    )
    verify.add_argument(
        "--state", type=Path, metavar="FILE", help="with a URL: the file of heads seen before"
    )
    verify.add_argument(
        "--key",
        action="append",
        type=Path,
        metavar="FILE|DIR",
        help="with --database or a URL: trust only heads signed by this key (repeatable): a "
        "file of public keys (the publicKeyPem, verifierKey or publicKey of GET /api/log/keys), "
        "a private key file, or a key directory (its current and retired keys)",
    )
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    verify.add_argument("--no-progress", action="store_true", help="no progress bar")
    verify.set_defaults(run=_verify)

    log = commands.add_parser(
        "log",
        help="sign the log's tree head, rotate the signing key",
        description="The verifiable log's signing (docs/operators.md).",
    )
    actions = log.add_subparsers(title="actions", metavar="ACTION")
    sign = actions.add_parser(
        "sign",
        help="sign a tree head over the log as it is now",
        description="Sign a tree head over the whole log (the first time, the log's key is made "
        "in OPENBOOK_SIGNING_KEY_DIR if none is there; after that the key there must be the "
        "log's current key). Idempotent: with nothing new it keeps the latest head (re-signed "
        "once a day). Never signs a head inconsistent with the latest one. Run it from a "
        "systemd timer or cron more often than OPENBOOK_MAX_MERGE_DELAY, or as a service with "
        "--every. Exits 1 if it cannot sign.",
    )
    sign.add_argument(
        "--every",
        type=_interval,
        metavar="SECONDS",
        help="keep running, signing every SECONDS (for a service rather than a timer); a "
        "failure is reported and tried again at the next tick, until SIGTERM or Ctrl-C",
    )
    sign.add_argument("--json", action="store_true", help="print the head as JSON")
    sign.set_defaults(run=_sign)
    rotate = actions.add_parser(
        "rotate-key",
        help="make a new signing key current and retire the old one",
        description="Make a new Ed25519 signing key current, keep the old one as retired (its "
        "public part stays published, so the heads it signed still verify), and sign a head "
        "with the new key at once.",
    )
    rotate.add_argument("--json", action="store_true", help="print the result as JSON")
    rotate.set_defaults(run=_rotate)
    log.set_defaults(run=lambda arguments: _usage(log))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 1 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"{text!r} must be from 1 to 3600 seconds")
    return value


def _store():
    from openbook.cli import _store

    return _store()


def _verify(arguments) -> int:
    from openbook import transparency
    from openbook.export.progress import Bar

    target = arguments.target
    remote = target is not None and target.startswith(("http://", "https://"))
    if target is not None and arguments.database:
        print("openbook verify: give a target or --database, not both", file=sys.stderr)
        return 2
    if (arguments.against or arguments.state) and not remote:
        print("openbook verify: --against and --state go with a URL", file=sys.stderr)
        return 2
    if arguments.key and target is not None and not remote:
        print("openbook verify: --key goes with --database or a URL", file=sys.stderr)
        return 2
    pinned = None
    if arguments.key:
        from openbook import signing_keys

        try:
            pinned = signing_keys.pinned(arguments.key)
        except signing_keys.SigningKeyError as error:
            print(f"openbook verify: {error}", file=sys.stderr)
            return 2
    progress = None if arguments.no_progress else Bar()
    if progress is not None:
        progress.stage("entries")
    try:
        report = transparency.verify(
            _target(target, remote),
            against=_against(arguments.against),
            state=arguments.state,
            progress=progress,
            pinned=pinned,
        )
    except _NoSuchDirectory as error:
        print(f"openbook verify: {error}", file=sys.stderr)
        return 2
    finally:
        if progress is not None:
            progress.close()
    if arguments.json:
        sys.stdout.buffer.write(orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2) + b"\n")
    else:
        print(report.as_text())
    return 0 if report.ok else 1


class _NoSuchDirectory(Exception):
    pass


def _target(target: str | None, remote: bool):
    if remote:
        return target
    return _directory(target) if target is not None else _store()


def _against(against: str | None):
    if against is None:
        return None
    return _store() if against == "database" else _directory(against)


def _directory(text: str) -> Path:
    path = Path(text).expanduser()
    if not path.is_dir():
        raise _NoSuchDirectory(f"{text} is not a directory (nor an http:// or https:// URL)")
    return path


def _sign(arguments) -> int:
    """Sign once (exit 1 on failure), or with --every keep signing: a failure (a database that
    went away, a key file being replaced, a refusal to fork) is reported and tried again at the
    next tick, and only SIGTERM or Ctrl-C stops it."""
    from django.db import DatabaseError

    from openbook import signing_keys, transparency

    store = _store()
    stop = signal.getsignal(signal.SIGTERM)
    if arguments.every is not None:
        signal.signal(signal.SIGTERM, _stopped)
    try:
        while True:
            try:
                head = transparency.sign_tree_head(store, create_key=True)
            except (
                transparency.TransparencyError,
                signing_keys.SigningKeyError,
                DatabaseError,
            ) as error:
                _report(f"openbook log sign: {error}", every=arguments.every)
                if arguments.every is None:
                    return 1
                if isinstance(error, DatabaseError):
                    store.connection.close()  # a new connection at the next tick
            else:
                if arguments.json:
                    sys.stdout.buffer.write(orjson.dumps(head) + b"\n")
                else:
                    print(
                        f"openbook log sign: tree head over {head['treeSize']:,} entries, "
                        f"root {head['rootHash']}, signed {head['timestamp']} by key "
                        f"{head['keyId']}"
                    )
                sys.stdout.flush()
                if arguments.every is None:
                    return 0
            time.sleep(arguments.every)
    except KeyboardInterrupt:
        print("openbook log sign: stopped", file=sys.stderr)
        return 0 if arguments.every is not None else 130  # a one-off signing did not finish
    finally:
        signal.signal(signal.SIGTERM, stop)


def _stopped(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM (systemd's stop) ends the loop as Ctrl-C does


def _report(message: str, *, every: float | None) -> None:
    if every is not None:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        message = f"{now} {message}; trying again in {every:g} seconds"
    print(message, file=sys.stderr, flush=True)


def _rotate(arguments) -> int:
    from openbook import signing_keys, transparency

    store = _store()
    try:
        rotated = transparency.rotate_key(store)
    except (transparency.TransparencyError, signing_keys.SigningKeyError) as error:
        print(f"openbook log rotate-key: {error}", file=sys.stderr)
        return 1
    if arguments.json:
        sys.stdout.buffer.write(orjson.dumps(rotated, option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    print(
        f"openbook log rotate-key: key {rotated['keyId']} now signs, in {config.signing_key_dir()}"
    )
    if rotated["retiredKeyId"]:
        print(
            f"key {rotated['retiredKeyId']} is retired: its public part stays published and its "
            "heads still verify; its private key is kept under retired/ until you destroy it"
        )
    head = rotated["treeHead"]
    print(f"tree head over {head['treeSize']:,} entries signed with the new key")
    return 0
