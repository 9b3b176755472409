"""Recommendation models behind one small contract (`ranking.models.base.Recommender`)."""
