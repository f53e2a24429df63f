"""How English pages write dates and times: the British way, 24-hour clock.

Vigie's English is that of organisations in Europe (a London coffee shop, a Dublin insurer):
Django's default English wrote "Dec. 2, 2026, 9:10 a.m." in one place and "12/02/2026" (month
first) in another, beside "08/11" (day first) in the charts. Formats Django does not find here
are its own English ones.
"""

DATE_FORMAT = "j M Y"  # 2 Dec 2026
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
