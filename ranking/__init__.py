"""Stage 3: score candidates for this shopper from their history, with reasons."""
