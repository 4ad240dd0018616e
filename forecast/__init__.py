"""Planning the month by the waits it will cause: demand forecasts, predicted waits, cover needs
from a wait target, and afterwards how the forecast compared with what happened."""
