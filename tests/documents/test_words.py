"""Amounts in Indian words: the receipt's wording, checked against num2words as well."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from num2words import num2words

from salestrack.core.schema_base import MAX_MONEY
from salestrack.documents.words import in_words, number_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("2050000", "Rupees Twenty Lakh Fifty Thousand Only"),
        ("2050000.00", "Rupees Twenty Lakh Fifty Thousand Only"),
        ("11270000", "Rupees One Crore Twelve Lakh Seventy Thousand Only"),
        ("1234.50", "Rupees One Thousand Two Hundred Thirty Four and Fifty Paise Only"),
        ("100000", "Rupees One Lakh Only"),
        ("10000000", "Rupees One Crore Only"),
        ("101", "Rupees One Hundred One Only"),
        ("0.05", "Five Paise Only"),
        ("0", "Rupees Zero Only"),
        ("1.005", "Rupees One and One Paise Only"),  # half up to the paisa
        ("1000000000000", "Rupees One Lakh Crore Only"),
    ],
)
def test_receipt_wording(amount: str, words: str) -> None:
    assert in_words(Decimal(amount)) == words


def test_the_largest_amount_the_api_takes_has_words() -> None:
    assert in_words(MAX_MONEY) == (
        "Rupees Ninety Nine Crore Ninety Nine Lakh Ninety Nine Thousand Nine Hundred "
        "Ninety Nine Crore Ninety Nine Lakh Ninety Nine Thousand Nine Hundred Ninety Nine "
        "and Ninety Nine Paise Only"
    )


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 0"):
        in_words(Decimal("-1"))


def _num2words_style(n: int) -> str:
    """num2words' en_IN words written as a receipt writes them (no "and", commas, hyphens)."""
    text = num2words(n, lang="en_IN").replace(",", "").replace("-", " ")
    return " ".join(w.capitalize() for w in text.split() if w != "and")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=9_999_999_999))
def test_words_agree_with_num2words_below_a_thousand_crore(n: int) -> None:
    assert number_words(n) == _num2words_style(n)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**16 - 1), st.integers(min_value=0, max_value=99))
def test_every_amount_reads_back_to_itself(rupees: int, paise: int) -> None:
    """Parse the words back into a number: the crore-of-crore recursion loses nothing."""
    text = in_words(Decimal(rupees) + Decimal(paise) / 100)
    assert text.endswith(" Only")
    body = text.removesuffix(" Only")
    whole, _, minor = body.partition(" and ")
    if whole.endswith(" Paise"):  # under a rupee
        whole, minor = "Rupees Zero", whole
    assert _parse(whole.removeprefix("Rupees ")) == rupees
    assert _parse(minor.removesuffix(" Paise")) == paise


_SMALL = {
    w: i
    for i, w in enumerate(
        [
            "Zero",
            "One",
            "Two",
            "Three",
            "Four",
            "Five",
            "Six",
            "Seven",
            "Eight",
            "Nine",
            "Ten",
            "Eleven",
            "Twelve",
            "Thirteen",
            "Fourteen",
            "Fifteen",
            "Sixteen",
            "Seventeen",
            "Eighteen",
            "Nineteen",
        ]
    )
} | {
    w: 10 * i
    for i, w in enumerate(
        ["_", "_", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety"]
    )
    if w != "_"
}
_SCALES = {"Hundred": 100, "Thousand": 1000, "Lakh": 100_000}


def _parse(text: str) -> int:
    if not text:
        return 0
    if " Crore" in text or text.endswith("Crore"):
        head, _, tail = text.rpartition("Crore")
        return _parse(head.strip()) * 10_000_000 + _parse(tail.strip())
    total = group = 0
    for word in re.split(r"\s+", text.strip()):
        if word in _SMALL:
            group += _SMALL[word]
        else:
            total += group * _SCALES[word]
            group = 0
    return total + group
