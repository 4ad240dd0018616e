"""Centres, doctors, shifts, leave, holidays, conflicts, coverage, exports."""
