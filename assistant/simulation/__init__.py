"""Simulated shoppers: does a shopper who wants one product find it by talking, and in how many turns?

One job per file: `goals` (what each shopper secretly wants and how they open), `phrasings` (the
everyday words of each act, a tuned and a held-out half), `policy` (the next act, from what the
shown products lack), `runner` (one conversation through the Assistant's public API), `baseline`
(the plain search list read 3 products per look), `report` (the figures), `cli`
(`shopassist eval conversation`).
"""
