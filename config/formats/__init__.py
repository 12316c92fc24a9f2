"""Date and time formats per language (settings.FORMAT_MODULE_PATH), over Django's own: one
time format per language on every page and email — 12-hour "6:30 PM" in English, 24-hour
"18:30" in Spanish. events.timefmt reads TIME_FORMAT from here too."""
