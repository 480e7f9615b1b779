"""Demonstration data: the small demo network and the national-scale generator."""
