"""Amounts in Indian English words, as cheques and receipts write them.

``in_words(Decimal("2050000"))`` is ``"Rupees Twenty Lakh Fifty Thousand Only"``;
``in_words(Decimal("1234.50"))`` is ``"Rupees One Thousand Two Hundred Thirty Four and
Fifty Paise Only"``. Grouping is Indian (thousand, lakh, crore); amounts of a hundred crore
and more say the crores in the same words (``"One Lakh Crore"`` is 10^12), so every amount
the API accepts (up to 9,999,999,999,999,999.99) has words.

Hand-written, with tests checked against num2words: num2words' ``en_IN`` gives the same
words below 1,000 crore but stops there (``OverflowError``) and writes "and", commas and
hyphens ("twenty-three lakh, forty-five thousand"), not the style of a receipt.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_ONES = (
    "Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten",
    "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen",
    "Eighteen", "Nineteen",
)  # fmt: skip
_TENS = ("", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety")
# Below a crore, from the largest: each group's size and name.
_GROUPS = ((100_000, "Lakh"), (1_000, "Thousand"), (100, "Hundred"))
CRORE = 10_000_000


def _below_hundred(n: int) -> list[str]:
    if n < 20:
        return [_ONES[n]]
    tens, ones = divmod(n, 10)
    return [_TENS[tens]] + ([_ONES[ones]] if ones else [])


def _below_crore(n: int) -> list[str]:
    words: list[str] = []
    for size, name in _GROUPS:
        count, n = divmod(n, size)
        if count:
            words += [*_below_hundred(count), name]
    if n:
        words += _below_hundred(n)
    return words


def number_words(n: int) -> str:
    """A whole number >= 0 in Indian English words, title case (``"One Crore Five Lakh"``)."""
    if n < 0:
        raise ValueError("number_words takes a whole number of at least 0")
    if n == 0:
        return _ONES[0]
    crores, rest = divmod(n, CRORE)
    words: list[str] = []
    if crores:
        words += [number_words(crores), "Crore"]
    if rest:
        words += _below_crore(rest)
    return " ".join(words)


def in_words(amount: Decimal, *, currency: str = "Rupees", minor: str = "Paise") -> str:
    """``amount`` (rounded half up to paise) as a receipt writes it, ending in "Only"."""
    if amount < 0:
        raise ValueError("in_words takes an amount of at least 0")
    paise_total = int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    rupees, paise = divmod(paise_total, 100)
    if paise and not rupees:
        return f"{number_words(paise)} {minor} Only"
    text = f"{currency} {number_words(rupees)}"
    if paise:
        text += f" and {number_words(paise)} {minor}"
    return f"{text} Only"
