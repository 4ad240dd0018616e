"""Waiting-room screens: live feed over WebSocket and the screen page."""
