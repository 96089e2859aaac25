"""tracker: forecasts with deadlines, reminders as they fall due, resolutions, and honest
scores. See README.md for the commands and DESIGN.md (in shared/) for the layout."""
