"""The managers' network home: every centre live on one page, with the alerts to act on."""
