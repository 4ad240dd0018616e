"""The walk-in queue: tickets, ordering, call-next, wait estimation, replay."""
