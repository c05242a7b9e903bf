"""``openbook verify``: every missing body must be a redaction (docs/log-format.md, "Withdrawals
and redactions").

A body may be empty (NULL) only where the log holds a redaction statement for it: in register
``redactions``, with the entry's record key, its seq as statement id, after it in the log, whose
body is intact, names the entry exactly (seq, register, record key, statement id, leaf hash, body
hash) and carries a note signed by one of the log's keys, not retired before it signed. Anything
else is a body deleted around the application, named by its seq. A redaction whose body is still
stored is reported too: the redaction did not take effect.
"""

from openbook.standards import marks
from openbook.standards.note import NoteError
from openbook.store import tree
from openbook.verify.report import Report


class RedactionCheck:
    """Fed every entry in log order (``observe``), then asked for its findings (``report``)."""

    def __init__(self, keys: dict[str, tree.KeyRow]) -> None:
        self.keys = {kid: (key.name, bytes.fromhex(key.public_key)) for kid, key in keys.items()}
        self.retired = {kid: key.retired_time for kid, key in keys.items()}
        self.emptied: dict[int, tree.AuditRow] = {}  # entries whose body is NULL
        self.redactions: dict[int, list[tree.AuditRow]] = {}  # by the seq they name
        self.unapplied: list[tuple[tree.AuditRow, int]] = []  # (redaction, seq still with body)

    def observe(self, row: tree.AuditRow) -> None:
        if row.has_body_row and row.body is None:
            self.emptied[row.seq] = row
        if row.register != marks.REDACTIONS or not row.statement_id.isdigit():
            return
        named = int(row.statement_id)
        self.redactions.setdefault(named, []).append(row)
        # The entry it names comes before it, so it has been observed: emptied, or not.
        if named < row.seq and named not in self.emptied and row.body is not None:
            self.unapplied.append((row, named))

    def report(self, report: Report) -> int:
        """Report every NULL body not covered by a valid redaction; returns how many are."""
        covered = 0
        for seq, row in sorted(self.emptied.items()):
            why = self._uncovered(row)
            if why is None:
                covered += 1
                continue
            report.problem(
                _subject(row),
                f"its body is gone (NULL) without a valid redaction: {why}. A body removed "
                "around the application is a deleted body",
                seq=seq,
                field="body",
                expected=f"a body with SHA-256 {row.body_hash}, or a signed redaction naming it",
                found="NULL",
            )
        for redaction, seq in self.unapplied:
            report.problem(
                f"entry {redaction.seq} (redaction of entry {seq})",
                f"it redacts entry {seq}, but that entry's body is still stored: the redaction "
                "did not take effect, or the body was put back",
                seq=seq,
                field="body",
                expected="NULL (redacted)",
                found="a body",
            )
        return covered

    def _uncovered(self, row: tree.AuditRow) -> str | None:
        """Why no redaction statement covers this NULL body; None if one does."""
        candidates = self.redactions.get(row.seq, [])
        if not candidates:
            return "no redaction statement names it"
        reasons = []
        for candidate in candidates:
            why = self._invalid(candidate, row)
            if why is None:
                return None
            reasons.append(f"entry {candidate.seq}: {why}")
        return "; ".join(reasons)

    def _invalid(self, candidate: tree.AuditRow, row: tree.AuditRow) -> str | None:
        if candidate.record_key != row.record_key or candidate.seq <= row.seq:
            return "it is not the entry's redaction (another record, or before it)"
        if candidate.body is None:
            return "its own body is gone"
        try:
            signed = marks.verify_redaction(candidate.body.encode(), self.keys)
        except (marks.MarkError, NoteError) as error:
            return f"it does not verify ({error})"
        said = signed.redaction.statement
        stored = marks.StatementRef(
            row.seq, row.register, row.record_key, row.statement_id, row.leaf_hash, row.body_hash
        )
        if said != stored:
            return "it names another entry, or other hashes, than this one's"
        retired = self.retired.get(signed.key_id)
        if retired is not None and signed.redaction.time > retired:
            return f"it was signed by key {signed.key_id[:16]}... after that key was retired"
        return None


def _subject(row: tree.AuditRow) -> str:
    return f"entry {row.seq} ({row.register} {row.record_key} statement {row.statement_id!r})"
