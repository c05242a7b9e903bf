"""What a harvest did: pages, releases new, duplicate and conflicting, problems, and time."""

from dataclasses import dataclass, field

from openbook.load.report import COUNTS, FileReport, KeptMessages, LoadReport, totals_text


@dataclass
class HarvestReport(KeptMessages):
    source: str
    api: str
    pages: int = 0
    requests: int = 0
    retried: int = 0
    waited: float = 0.0  # seconds waiting on rate limits and failures
    seconds: float = 0.0
    compiled: int = 0
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    # Messages about the releases (as `openbook load` gives them) and about the harvest itself.
    messages: list[dict] = field(default_factory=list)
    messages_dropped: int = 0
    # "complete", "paused" (--max-pages), "stopped" (the source failed), "interrupted"
    outcome: str = "complete"
    reason: str = ""  # why it stopped or paused
    reviews: LoadReport = field(default_factory=LoadReport)  # the releases' problems, counted
    package_problems: set[tuple[str, str]] = field(default_factory=set)

    def add_page(self, page: FileReport) -> None:
        self.pages += 1
        for name in COUNTS:
            self.totals[name] += getattr(page, name)
        for message in page.messages:
            if message["where"].startswith("package"):
                # Every page is a package, most often with the same metadata: said once.
                said = (message["where"], message["code"])
                if said in self.package_problems:
                    continue
                self.package_problems.add(said)
            self.keep({"page": page.path, **message})
        self.messages_dropped += page.messages_dropped

    def note(self, page: str, code: str, message: str, severity: str = "warning") -> None:
        """Something about the harvest itself (a page full but without a next link, ...)."""
        self.totals["warnings" if severity == "warning" else "unreadable"] += 1
        self.keep(
            {"page": page, "where": "", "code": code, "message": message, "severity": severity}
        )

    @property
    def rejected(self) -> int:
        return self.totals["conflicts"] + self.totals["invalid"] + self.totals["unreadable"]

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "api": self.api,
            "outcome": self.outcome,
            "reason": self.reason,
            "pages": self.pages,
            "requests": self.requests,
            "retried": self.retried,
            "waited_seconds": round(self.waited, 3),
            "seconds": round(self.seconds, 3),
            "totals": {**self.totals, "compiled": self.compiled, "rejected": self.rejected},
            "top_problems": self.reviews.top_problems(),
            "messages": self.messages,
            "messages_dropped": self.messages_dropped,
        }

    def as_text(self) -> str:
        totals = {**self.totals, "compiled": self.compiled}
        lines = [
            f"Harvest of {self.source} ({self.api}): {self.pages:,} pages in "
            f"{self.seconds:,.1f} s ({self.requests:,} requests, {self.retried:,} retried, "
            f"{self.waited:,.1f} s waiting on the source).",
            f"  releases read: {totals['read']:,}",
            *totals_text(totals, loaded="new", unreadable="unusable"),
            *self.reviews.problems_text(),
        ]
        if self.messages:
            lines.append("Messages:")
            lines.extend(
                f"  {m['severity']}: {m['page']}"
                + (f" {m['where']}" if m["where"] else "")
                + f": {m['message']} [{m['code']}]"
                for m in self.messages
            )
            if self.messages_dropped:
                lines.append(f"  ... and {self.messages_dropped:,} more")
        lines.append(_ENDINGS[self.outcome].format(reason=self.reason))
        return "\n".join(lines)


_ENDINGS = {
    "complete": "Complete: the source has nothing more for now. Running the same command again "
    "fetches only what is new.",
    "paused": "Paused ({reason}): run the same command again to continue.",
    "stopped": "Stopped: {reason}. Everything harvested before is kept: run the same command "
    "again to resume.",
    "interrupted": "Interrupted. Every page committed is kept: run the same command again to "
    "resume.",
}
