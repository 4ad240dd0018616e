"""Statistics that outlive the purge, the analytics pages, and the operators' metrics."""
