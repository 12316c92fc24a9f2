"""English: "6:30 PM" (Django's own English formats write "6:30 p.m." and "noon")."""

TIME_FORMAT = "g:i A"
DATETIME_FORMAT = "N j, Y, g:i A"
SHORT_DATETIME_FORMAT = "m/d/Y g:i A"
