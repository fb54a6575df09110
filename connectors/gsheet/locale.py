"""A spreadsheet's locale and time zone (from its metadata): how its dates read, where its clock is.

Google Sheets writes a form's Timestamp (and the answers to date questions) in the spreadsheet's
locale, "File > Settings > Locale": 15/01/2025 in Italy, 1/15/2025 in the United States. The
locale therefore settles "01/02/2025" where the answers alone cannot. A locale not listed here
leaves the choice to the answers (``"auto"``, see ``banco.connectors.forms.rows``).
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Whole locales whose numeric dates are month first (US style) or year first.
_BY_LOCALE = {
    "en_us": "mdy",
    "en_ph": "mdy",
    "fil_ph": "mdy",
    "es_us": "mdy",
    "en_ca": "ymd",
    "fr_ca": "ymd",
    "en_za": "ymd",
    "en_gb": "dmy",
}
#: Languages, for every other country: most write day, month, year.
_BY_LANGUAGE = {
    **dict.fromkeys(("ja", "zh", "ko", "hu", "lt", "sv", "mn"), "ymd"),
    **dict.fromkeys(
        (
            "en", "it", "fr", "de", "es", "pt", "nl", "ca", "gl", "eu", "ru", "uk", "be", "pl",
            "cs", "sk", "sl", "hr", "sr", "bs", "bg", "ro", "el", "tr", "da", "nb", "nn", "no",
            "fi", "is", "et", "lv", "ga", "cy", "mt", "sq", "mk", "he", "iw", "ar", "vi", "id",
            "ms", "th", "hi", "bn", "ta", "te", "ur", "sw",
        ),
        "dmy",
    ),
}  # fmt: skip
_GMT_OFFSET = re.compile(r"(?:GMT|UTC)([+-])(\d{1,2})(?::?00)?", re.IGNORECASE)


def date_order_for(locale: str) -> str | None:
    """The date order ("dmy", "mdy", "ymd") of a locale such as "it_IT" or "en-US", or None."""
    code = locale.strip().replace("-", "_").lower()
    if code in _BY_LOCALE:
        return _BY_LOCALE[code]
    return _BY_LANGUAGE.get(code.split("_")[0])


def sheet_zone(name: str) -> ZoneInfo | None:
    """The spreadsheet's ``timeZone`` ("Europe/Rome"; old sheets may say "GMT+01:00"), or None."""
    name = name.strip()
    if offset := _GMT_OFFSET.fullmatch(name):
        sign, hours = offset.groups()
        # IANA's Etc zones count the other way round: GMT+1 is "Etc/GMT-1".
        name = "Etc/GMT" if int(hours) == 0 else f"Etc/GMT{'-' if sign == '+' else '+'}{int(hours)}"
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
