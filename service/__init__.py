"""Application shell: settings, database, auth, events, app factory, CLI."""
