"""The demo app's management commands (in commands/)."""
