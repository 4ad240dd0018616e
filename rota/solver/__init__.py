"""The rota solver: pure planning code (OR-Tools CP-SAT), no database and no web framework."""
