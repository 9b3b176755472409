"""Choose the lexical and fusion settings on the Icecat dev judgements, by cross-validation over queries.

The dev set is small (68 queries), so the best setting on all of them flatters itself. The queries
are shuffled once (seeded) and cut into folds; for each fold the best setting on the other folds is
scored on it, so every query is scored by a setting chosen without it. That cross-validated nDCG@10
is the honest figure of a tuned method. The tuned BM25 baseline (lexical settings chosen for BM25
alone) is cross-validated the same way, on the same folds. Test judgements, where they exist, choose
nothing: they only score the shipped settings.

Dense scores are computed once per query and each BM25 configuration is built once; every fusion
setting is then scored on top (a few minutes on 2 cores).

    .venv/bin/python benchmarks/tune_search.py [--folds 5] [--seed 0]
    # needs `shopassist reindex --catalog ../shared/data/icecat` first (same SHOPASSIST_HOME)
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shopassist.metrics import bootstrap_ci, ndcg_at
from shopassist.retrieval.evaluation import Judgements, cross_validate, query_folds
from shopassist.retrieval.factory import open_retriever
from shopassist.retrieval.fusion import FusionConfig, fuse, top_indices
from shopassist.retrieval.lexical import REFERENCE, LexicalConfig, LexicalIndex
from shopassist.retrieval.retriever import Retriever
from shopassist.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "icecat"
SHIPPED = (LexicalConfig(), FusionConfig())

# The shipped settings come first: argmax keeps the first of equal scores, so a tie keeps what ships.
# Earlier rounds (titles 1–3, stemming off, k1/b further out, a boost for brands named in the query)
# never won; this grid looks around the corner they found.
LEXICAL = list(dict.fromkeys([SHIPPED[0], REFERENCE] + [
    LexicalConfig(title_weight=t, attribute_weight=a, brand_weight=br, k1=k1, b=b)
    for t, a, br, (k1, b) in itertools.product((3, 4, 5), (0, 1), (1, 2), ((0.9, 0.3), (0.9, 0.4), (1.2, 0.4)))
]))
FUSION = list(dict.fromkeys([SHIPPED[1]]
                            + [FusionConfig("linear", w, pool=pool) for w in (0.5, 0.6, 0.7, 0.8) for pool in (100, 200)]
                            + [FusionConfig("rrf", rrf_k=k) for k in (30, 60)]))


def short(config: LexicalConfig | FusionConfig) -> str:
    """A grid point in a few words.

    >>> short(FusionConfig("rrf", rrf_k=30))
    'rrf k=30 pool=100'
    """
    if isinstance(config, FusionConfig):
        how = f"linear w={config.lexical_weight}" if config.method == "linear" else f"rrf k={config.rrf_k}"
        return f"{how} pool={config.pool}"
    return (f"title×{config.title_weight} brand×{config.brand_weight} attrs×{config.attribute_weight} "
            f"desc×{config.description_weight} {'stem' if config.stem else 'nostem'} k1={config.k1} b={config.b}")


@dataclass
class Grid:
    """Per-query nDCG@10 of every grid point: rows are settings, columns the judged queries."""

    dense: np.ndarray  # (queries,)
    bm25: np.ndarray  # (len(LEXICAL), queries)
    hybrid: np.ndarray  # (len(LEXICAL) * len(FUSION), queries), lexical-major
    settings: list[tuple[LexicalConfig, FusionConfig]]  # the hybrid rows' settings


def score_grid(retriever: Retriever, judged: Judgements, lexical: list[LexicalConfig], fusions: list[FusionConfig],
               verbose: bool = True) -> Grid:
    queries = [(retriever.parse(q), r) for q, r in judged.by_query.items()]
    dense = [retriever.dense.scores(retriever.embedder.embed([p.text], query=True)[0]) for p, _ in queries]
    masks = [retriever.columns.mask(p) for p, _ in queries]
    ids = np.array(retriever.lexical.ids)

    def top10(scores: np.ndarray, mask: np.ndarray) -> np.ndarray:
        # The first 10 of the top 100, as `eval search` ranks: top_indices breaks ties at its cut
        # arbitrarily, so a cut at 10 can keep other tied products than a cut at 100 does.
        return top_indices(scores, 100, mask)[:10]

    def per_query(order_for) -> np.ndarray:
        return np.array([ndcg_at(ids[np.asarray(order_for(i), dtype=np.int64)].tolist(), r) for i, (_, r) in enumerate(queries)])

    bm25, hybrid, settings = [], [], []
    for n, config in enumerate(lexical, 1):
        index = retriever.lexical if config == retriever.lexical.config else LexicalIndex.build(retriever.products, config)
        scores = [index.scores(p.text) for p, _ in queries]
        bm25.append(per_query(lambda i: top10(scores[i], masks[i])))
        for fusion in fusions:
            hybrid.append(per_query(lambda i: fuse(scores[i], dense[i], fusion, masks[i])[0][:10]))
            settings.append((config, fusion))
        if verbose:
            best = max(row.mean() for row in hybrid[-len(fusions):])
            print(f"  [{n}/{len(lexical)}] {short(config)}: bm25 {bm25[-1].mean():.4f}, best hybrid {best:.4f}", file=sys.stderr, flush=True)
    return Grid(per_query(lambda i: top10(dense[i], masks[i])), np.array(bm25), np.array(hybrid), settings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", default="icecat")
    parser.add_argument("--judgments", type=Path, default=DATA / "judgments-dev.csv", help="the judgements settings are chosen on")
    parser.add_argument("--test-judgments", type=Path, default=DATA / "judgments-test.csv",
                        help="held-out judgements, if they exist: they score the shipped settings and choose nothing")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0, help="seeds the one shuffle of the queries before they are cut into folds")
    args = parser.parse_args()
    if "test" in args.judgments.name:
        parser.error(f"{args.judgments} looks like test judgements: settings are chosen on dev judgements only")
    judged = Judgements.read(args.judgments)
    retriever = open_retriever(Settings.load(), args.store)
    print(f"{len(judged.by_query)} dev queries ({len(judged.left_out)} left out: no product rated above 0), "
          f"{len(retriever.products):,} products; grid: {len(LEXICAL)} lexical × {len(FUSION)} fusion settings", file=sys.stderr)
    grid = score_grid(retriever, judged, LEXICAL, FUSION)
    folds = query_folds(len(judged.by_query), args.folds, args.seed)
    cv_hybrid, cv_bm25 = cross_validate(grid.hybrid, folds), cross_validate(grid.bm25, folds)

    def ci(values: np.ndarray) -> str:
        lo, hi = bootstrap_ci(values)
        return f"[{lo:.4f}, {hi:.4f}]"

    shipped_hybrid, shipped_bm25 = grid.hybrid[grid.settings.index(SHIPPED)], grid.bm25[LEXICAL.index(SHIPPED[0])]
    reference = grid.bm25[LEXICAL.index(REFERENCE)]
    print(f"\nnDCG@10 on {len(judged.by_query)} dev queries; {args.folds}-fold cross-validation over queries "
          f"(shuffled once, seed {args.seed}; folds of {', '.join(str(len(f)) for f in folds)} queries)")
    print(f"{'method':<15} {'shipped, all dev':>16} {'best on all dev':>16} {'cross-validated':>16} {'95% CI (cv)':>17}")
    print(f"{'hybrid':<15} {shipped_hybrid.mean():16.4f} {grid.hybrid.mean(axis=1).max():16.4f} {cv_hybrid.mean:16.4f} {ci(cv_hybrid.held_out):>17}")
    print(f"{'bm25_tuned':<15} {shipped_bm25.mean():16.4f} {grid.bm25.mean(axis=1).max():16.4f} {cv_bm25.mean:16.4f} {ci(cv_bm25.held_out):>17}")
    print(f"{'bm25_reference':<15} {reference.mean():16.4f} {'(untuned)':>16} {'':>16} {ci(reference):>17}")
    print(f"{'dense':<15} {grid.dense.mean():16.4f} {'(untuned)':>16} {'':>16} {ci(grid.dense):>17}")
    print(f"cross-validated gain of the hybrid over the tuned bm25: {cv_hybrid.mean - cv_bm25.mean:+.4f} "
          f"(paired per query, 95% CI {ci(cv_hybrid.held_out - cv_bm25.held_out)})")

    print("\nchosen per fold (on the other folds), scored on the fold:")
    for f, fold in enumerate(folds):
        config, fusion = grid.settings[cv_hybrid.picks[f]]
        print(f"  fold {f + 1}: hybrid {cv_hybrid.held_out[fold].mean():.4f} with {short(config)} + {short(fusion)}")
        print(f"          bm25   {cv_bm25.held_out[fold].mean():.4f} with {short(LEXICAL[cv_bm25.picks[f]])}")
    best_hybrid = grid.settings[int(np.argmax(grid.hybrid.mean(axis=1)))]
    best_bm25 = LEXICAL[int(np.argmax(grid.bm25.mean(axis=1)))]
    print(f"\nshipped:                  {short(SHIPPED[0])} + {short(SHIPPED[1])}")
    print(f"best hybrid on all dev:   {short(best_hybrid[0])} + {short(best_hybrid[1])}"
          + ("  (= shipped)" if best_hybrid == SHIPPED else "  (differs from shipped)"))
    print(f"best bm25 on all dev:     {short(best_bm25)}" + ("  (= shipped)" if best_bm25 == SHIPPED[0] else "  (differs from shipped)"))
    shipped_picks = sum(grid.settings[p] == SHIPPED for p in cv_hybrid.picks)
    print(f"folds that chose the shipped hybrid settings: {shipped_picks} of {len(folds)}")

    if args.test_judgments.exists():
        test = Judgements.read(args.test_judgments)
        held = score_grid(retriever, test, [SHIPPED[0], REFERENCE], [SHIPPED[1]], verbose=False)
        print(f"\nheld-out test judgements ({len(test.by_query)} queries), shipped settings: hybrid {held.hybrid[0].mean():.4f} "
              f"{ci(held.hybrid[0])} · bm25_tuned {held.bm25[0].mean():.4f} · bm25_reference {held.bm25[1].mean():.4f} · dense {held.dense.mean():.4f}")
    else:
        print(f"\nno test judgements at {args.test_judgments}: the cross-validated figures are the held-out ones")


if __name__ == "__main__":
    main()
