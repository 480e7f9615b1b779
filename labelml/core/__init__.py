"""The shared ground every app stands on; it has no models and imports no app."""
