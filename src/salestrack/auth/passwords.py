"""Which new passwords are accepted: long enough, not common or breached, not the user's own.

The length (10 to 128 characters) is the schema's rule (``schemas.Password``). Beyond it,
a password is refused when

- it is too close to the user's own name or email (or their parts, such as the local part
  of the address or the company in its domain): difflib's similarity of the whole password
  to each of them, at most 0.7, as Django's ``UserAttributeSimilarityValidator`` does; or
- zxcvbn estimates it can be guessed in fewer than 10^8 tries (score below 3). zxcvbn
  (Dropbox's estimator) ships a frequency-ranked list of 30,000 passwords from breached
  password sets, English words, names and TV and film words, and recognises repeats
  (``aaaaaaaaaa``), sequences, keyboard walks, dates, l33t spellings and reversals; it is
  also given the user's own words, so a password built from them counts as guessable.

``services`` call ``problem`` for every new password: the API, the CLI, the demo data and any
web form all go through ``auth.service.create_user`` / ``update_user``.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from zxcvbn import zxcvbn

MIN_SCORE = 3  # zxcvbn: "safely unguessable", at least 10^8 guesses
MAX_SIMILARITY = 0.7  # Django's default for the same check
# zxcvbn's own bound: its matching grows with the square of the length (a 128-character
# password takes most of a second). The first 72 characters are judged; a password whose
# first 72 are guessable is refused however it goes on.
ANALYSED_CHARACTERS = 72
# Words anyone attacking this product would try first.
CONTEXT_WORDS = ("salestrack", "sales", "track")
_PARTS = re.compile(r"[\W_]+")

COMMON = "this password is on the list of common and breached passwords"
OWN_WORDS = "this password is too close to the user's name or email"
GUESSABLE = "this password is too easy to guess"


def problem(password: str, *, email: str, full_name: str) -> str | None:
    """Why ``password`` may not be the user's password (None: it may)."""
    own = own_words(email=email, full_name=full_name)
    lowered = password.lower()
    if any(_similar(lowered, word) for word in own):
        return OWN_WORDS
    estimate = zxcvbn(
        password[:ANALYSED_CHARACTERS], user_inputs=[*own, *CONTEXT_WORDS], max_length=128
    )
    if estimate["score"] >= MIN_SCORE:
        return None
    matches = estimate["sequence"]
    if any(match.get("dictionary_name") == "user_inputs" for match in matches):
        return OWN_WORDS
    if len(matches) == 1 and matches[0].get("dictionary_name") == "passwords":
        return COMMON
    warning = str(estimate["feedback"]["warning"]).rstrip(".")
    return f"{GUESSABLE} ({warning[0].lower()}{warning[1:]})" if warning else GUESSABLE


def own_words(*, email: str, full_name: str) -> list[str]:
    """The user's own words: the email, its local part, the name, and their parts
    (three characters or more; the domain's last label, ``com`` or ``in``, says nothing)."""
    local, _, domain = email.strip().lower().partition("@")
    name = full_name.strip().lower()
    words = [email.strip().lower(), local, name, *_PARTS.split(local), *_PARTS.split(name)]
    words += domain.split(".")[:-1]
    return sorted({word for word in words if len(word) >= 3})


def _similar(password: str, word: str) -> bool:
    matcher = SequenceMatcher(a=password, b=word, autojunk=False)
    return matcher.quick_ratio() >= MAX_SIMILARITY and matcher.ratio() >= MAX_SIMILARITY
