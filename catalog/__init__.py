"""Stage 1: products, shoppers and their events — load, validate, clean, index."""
