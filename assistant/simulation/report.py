"""The figures of one run: per phrasing half and per act, beside the search list of the same looks."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shopassist.assistant.simulation.runner import Conversation


def success_at(first: Sequence[int | None], turns: int) -> list[float]:
    """Share found within 1, 2, … `turns` turns (or looks).

    >>> success_at([1, None, 2, 3], 3)
    [0.25, 0.5, 0.75]
    """
    n = max(len(first), 1)
    return [sum(1 for f in first if f is not None and f <= t) / n for t in range(1, turns + 1)]


def _share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


@dataclass(frozen=True)
class HalfFigures:
    half: str
    conversations: int
    success: list[float]  # success@1..T
    pass_k: float  # goals found in every seed
    mean_turns: float | None  # over conversations that succeeded
    kinds: dict[str, int]
    violations: int
    feature_claims: int  # of the violations: features no shown product's catalogue text states
    violation_examples: list[str]
    p50_ms: float
    p95_ms: float
    acts: dict[str, dict]  # act → uses, obeyed, goal shown after
    phrasings: dict[str, dict]  # template → uses, obeyed (the tuned half only: the other stays unread)
    by_goal: dict[str, list[int | None]]  # goal → success turn per seed

    @classmethod
    def of(cls, half: str, talks: list[Conversation], turns: int) -> "HalfFigures":
        by_goal: dict[str, list[int | None]] = defaultdict(list)
        for c in talks:
            by_goal[c.goal].append(c.success_turn)
        records = [t for c in talks for t in c.turns]
        ms = [t.ms for t in records] or [float("nan")]
        acts: dict[str, dict] = {}
        phrasings: dict[str, dict] = {}
        for name in dict.fromkeys(t.act for t in records):
            mine = [t for t in records if t.act == name]
            acts[name] = {"uses": len(mine), "obeyed": _share([t.obeyed for t in mine if t.obeyed is not None]),
                          "goal_shown": _share([t.goal_shown for t in mine])}
        if half == "tuned":
            for template in dict.fromkeys(t.template for t in records if t.template):
                mine = [t for t in records if t.template == template]
                phrasings[template] = {"act": mine[0].act, "uses": len(mine), "obeyed": _share([t.obeyed for t in mine if t.obeyed is not None]),
                                       "goal_shown": _share([t.goal_shown for t in mine])}
        found = [c.success_turn for c in talks if c.success_turn is not None]
        problems = [v for t in records for v in t.violations]
        return cls(
            half, len(talks), success_at([c.success_turn for c in talks], turns),
            _share([all(s is not None for s in seeds) for seeds in by_goal.values()]) or 0.0,
            round(float(np.mean(found)), 3) if found else None,
            dict(Counter(t.kind for t in records)), len(problems), sum(v.startswith("feature") for v in problems), problems[:5],
            round(float(np.percentile(ms, 50)), 1), round(float(np.percentile(ms, 95)), 1),
            acts, phrasings, dict(by_goal),
        )

    def to_dict(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "success"}
        out.update({f"success@{t}": round(s, 4) for t, s in enumerate(self.success, 1)})
        return out


@dataclass(frozen=True)
class Report:
    turns: int
    seeds: int
    goals: int
    goals_missing: int
    halves: dict[str, HalfFigures]
    search_list: list[float]  # success@1..T looks of 3 products
    label: str = ""  # e.g. the ranker, when a run compares several
    ceiling: dict[str, list[float]] | None = None  # half → success@1..T of an assistant that knew the judgements (ceiling.py)

    @classmethod
    def of(cls, talks: list[Conversation], baseline: dict[str, int | None], turns: int, seeds: int, missing: int = 0, label: str = "",
           ceiling: dict[str, list[int | None]] | None = None) -> "Report":
        halves = {h: HalfFigures.of(h, [c for c in talks if c.half == h], turns) for h in dict.fromkeys(c.half for c in talks)}
        reached = {h: success_at(found, turns) for h, found in ceiling.items()} if ceiling else None
        return cls(turns, seeds, len(baseline), missing, halves, success_at(list(baseline.values()), turns), label, reached)

    def to_dict(self) -> dict:
        """
        >>> Report.of([], {"g": 1}, turns=2, seeds=1).to_dict()["search_list"]
        {'success@1': 1.0, 'success@2': 1.0}
        """
        return {
            "label": self.label, "turns": self.turns, "seeds": self.seeds, "goals": self.goals, "goals_missing": self.goals_missing,
            "search_list": {f"success@{t}": round(s, 4) for t, s in enumerate(self.search_list, 1)},
            "halves": {h: f.to_dict() for h, f in self.halves.items()},
            **({"ceiling": {h: {f"success@{t}": round(x, 4) for t, x in enumerate(s, 1)} for h, s in self.ceiling.items()}}
               if self.ceiling else {}),
        }

    def lines(self) -> list[str]:
        """The figures as a table a person reads: success@t per half beside the search list, then per act."""
        T = self.turns
        head = f"{self.label + ': ' if self.label else ''}{self.goals} goals ({self.goals_missing} not in the catalogue), {self.seeds} seed(s), {T} turns"
        out = [head, f"{'':<22}" + "".join(f"{'@' + str(t):>7}" for t in range(1, T + 1)) + f"{'pass^k':>8}{'turns':>7}{'p50 ms':>8}{'p95 ms':>8}{'viol.':>6}"]
        for h, f in self.halves.items():
            mean = f"{f.mean_turns:7.2f}" if f.mean_turns is not None else f"{'–':>7}"
            out.append(f"{'talking, ' + h:<22}" + "".join(f"{s:7.3f}" for s in f.success) + f"{f.pass_k:8.3f}{mean}{f.p50_ms:8.0f}{f.p95_ms:8.0f}{f.violations:6d}")
        out.append(f"{'search list, 3/look':<22}" + "".join(f"{s:7.3f}" for s in self.search_list))
        for h, reached in (self.ceiling or {}).items():  # what knowing the judgements would reach
            out.append(f"{'ceiling, ' + h:<22}" + "".join(f"{s:7.3f}" for s in reached))
        for h, f in self.halves.items():
            margin = f.success[-1] - self.search_list[-1]
            out.append(f"{h}: success@{T} {f.success[-1]:.3f} vs search list {self.search_list[-1]:.3f} ({margin:+.3f}); kinds {f.kinds}; "
                       f"{f.violations} grounding violations, {f.feature_claims} of them unsupported features")
            for name, a in f.acts.items():
                obeyed = f"{a['obeyed']:.2f}" if a["obeyed"] is not None else "–"
                out.append(f"  {name:<9} {a['uses']:6d} uses  obeyed {obeyed:>5}  goal shown after {a['goal_shown']:.2f}")
            for example in f.violation_examples:
                out.append(f"  grounding: {example}")
        tuned = self.halves.get("tuned")
        if tuned and tuned.phrasings:
            worst = sorted((p for p in tuned.phrasings.items() if p[1]["obeyed"] is not None), key=lambda p: (p[1]["obeyed"], -p[1]["uses"]))[:12]
            out.append("tuned phrasings least obeyed:")
            out += [f"  {p['obeyed']:.2f} of {p['uses']:4d}  [{p['act']}] {t}" for t, p in worst]
        return out
