"""Tests of the demo data (labelml/demo): the small demo network and its accounts, a walk through
the demo as each of them, and the national data set."""
