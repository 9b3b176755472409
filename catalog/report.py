"""The load report: every row read is accepted, merged, dropped or rejected — with a reason."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from shopassist.files import atomic_write


@dataclass(frozen=True, slots=True)
class Rejection:
    source: str  # file the row came from
    row: int  # 1-based data row number in that file (header not counted)
    reason: str  # the category counted in the ledger, e.g. "price is not a number"
    detail: str  # the message for a person: what is wrong with this row and what to do
    raw: dict  # the row as read, so it can be fixed and reloaded

    def message(self) -> str:
        return f"{self.source} row {self.row}: {self.detail}"

    def to_json(self) -> str:
        return json.dumps(
            {
                "source": self.source,
                "row": self.row,
                "reason": self.reason,
                "detail": self.detail,
                "raw": self.raw,
            },
            ensure_ascii=False,
            default=str,
        )


def write_rejects(rejections: Iterable[Rejection], path: Path) -> None:
    """Rejected rows, one JSON object a line, with their reasons (written even when empty): the
    one format for catalogue rows and interaction rows alike.

    >>> import tempfile; path = Path(tempfile.mkdtemp()) / "rejects.jsonl"
    >>> write_rejects([Rejection("a.csv", 2, "negative price", "price -1 is negative", {"price": "-1"})], path)
    >>> json.loads(path.read_text())["reason"]
    'negative price'
    """
    with atomic_write(path) as f:
        f.writelines(r.to_json() + "\n" for r in rejections)


@dataclass
class Ledger:
    """Row accounting for one kind of record (products or events).

    Invariant: read == accepted + merged + sum(dropped) + sum(rejected).
    """

    read: int = 0
    accepted: int = 0
    merged: int = 0  # duplicates folded into an accepted record
    dropped: Counter[str] = field(default_factory=Counter)  # by rule, e.g. "not a product: postage"
    rejected: Counter[str] = field(default_factory=Counter)  # invalid rows, e.g. "negative price"
    filled: Counter[str] = field(default_factory=Counter)  # accepted, with a flagged gap ("no brand")

    @property
    def balanced(self) -> bool:
        return self.read == self.accepted + self.merged + sum(self.dropped.values()) + sum(
            self.rejected.values()
        )

    def to_dict(self) -> dict:
        return {
            "read": self.read,
            "accepted": self.accepted,
            "merged": self.merged,
            "dropped": dict(self.dropped),
            "rejected": dict(self.rejected),
            "filled": dict(self.filled),
        }


@dataclass
class LoadReport:
    sources: list[str] = field(default_factory=list)
    products: Ledger = field(default_factory=Ledger)
    events: Ledger = field(default_factory=Ledger)
    rejections: list[Rejection] = field(default_factory=list)

    warnings: list[str] = field(default_factory=list)  # file-level problems that did not stop the load

    def reject(
        self, ledger: Ledger, source: str, row: int, reason: str, raw: dict, detail: str = ""
    ) -> None:
        ledger.rejected[reason] += 1
        self.rejections.append(Rejection(source, row, reason, detail or reason, raw))

    @property
    def balanced(self) -> bool:
        return self.products.balanced and self.events.balanced

    def to_dict(self) -> dict:
        return {
            "sources": self.sources,
            "products": self.products.to_dict(),
            "events": self.events.to_dict(),
            "rejected_rows": len(self.rejections),
            "warnings": self.warnings,
        }

    def lines(self) -> list[str]:
        """Human summary: one line per ledger, then one per reason."""
        out = []
        for name, ledger in (("products", self.products), ("events", self.events)):
            if not ledger.read:
                continue
            out.append(
                f"{name}: {ledger.read:,} rows read = {ledger.accepted:,} accepted + "
                f"{ledger.merged:,} merged + {sum(ledger.dropped.values()):,} dropped + "
                f"{sum(ledger.rejected.values()):,} rejected"
            )
            for reason, n in sorted(ledger.dropped.items(), key=lambda kv: -kv[1]):
                out.append(f"  dropped {n:,}: {reason}")
            for reason, n in sorted(ledger.rejected.items(), key=lambda kv: -kv[1]):
                out.append(f"  rejected {n:,}: {reason}")
            for reason, n in sorted(ledger.filled.items(), key=lambda kv: -kv[1]):
                out.append(f"  flagged {n:,}: {reason}")
        return out
