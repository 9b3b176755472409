"""Stage 2: understand the query and find candidate products (dense + lexical, fused)."""
