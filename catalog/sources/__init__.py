"""Adapters that turn one source file into cleaned records and a load report."""
