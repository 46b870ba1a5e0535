"""Amounts written with East Asian number units: ``123만원``, ``1억 2천만원``,
``15万円``, ``1.5億``, read exactly or refused, never misread.

Korean, Japanese and Chinese group large numbers by ten thousand (a
myriad), and forms write the digits before a unit character rather than
zeros: ``123만`` is 123 x 10,000 = 1,230,000, ``1억 2,000만`` is
100,000,000 + 20,000,000. Below the myriad, ``천``/``千`` (1,000),
``백``/``百`` (100) and ``십``/``十`` (10) each take one digit:
``2천5백만`` is 2,500 x 10,000. The units are the same in every locale
(Korean; Japanese and Chinese):

- 10: 십; 十
- 100: 백; 百
- 1,000: 천; 千
- 10^4: 만; 万, 萬
- 10^8: 억; 億, 亿
- 10^12: 조; 兆

The reading is strict, because a number a participant wrote one way and
the desk read another pays the wrong points:

- every unit has digits before it (``천만원`` and ``삼만원`` are refused,
  asking for digits: a bare or spelled-out coefficient is a numeral the
  desk does not read);
- the myriad units (만, 억, 조) come in falling order, once each; the small
  units (천, 백, 십) in falling order within one myriad, each after one
  digit 1-9 (``2천5백만``), and a small unit is followed by a smaller one,
  a myriad unit or the end, never by bare digits: ``3천5`` is 3,005 by the
  rules but 3,500 as people say it, so it is refused;
- a part after the first is below ten thousand (``1억 12,000만`` would be
  2.2억: refused) and whole; decimals only in an amount of one part
  (``1.5만`` is 15,000);
- each part after the first is in the myriad right below the one before
  it, and is not one digit after a myriad unit: spoken Korean drops the
  last unit, so ``1억 2천`` (100,002,000 by the units) is said for
  120,000,000 and ``1만5`` (10,005) for 15,000; both are refused, the
  message giving both figures;
- the digits before a unit are read by the locale's number rules
  (`claimflow.numbers`): ``1,280만`` is 12,800,000 at a Korean, Japanese
  or Chinese desk, where the comma groups digits, and as ambiguous as
  ``1,280`` at any other; ``1.280만`` is ambiguous everywhere.

`read_units` returns None for a text without unit characters, which the
plain reader then reads as before: only a text written with units is
read here.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

#: Unit character -> its power of ten.
UNITS: dict[str, int] = {
    "십": 1, "十": 1, "백": 2, "百": 2, "천": 3, "千": 3,
    "만": 4, "万": 4, "萬": 4, "억": 8, "億": 8, "亿": 8, "조": 12, "兆": 12,
}  # fmt: skip
_MYRIAD = 4
_DIGITS = frozenset("123456789")

#: Reads the digits before a unit in the locale's rules: the number, or why not.
Reader = Callable[[str], Decimal | str]


def has_units(text: str) -> bool:
    """Whether `text` holds a unit character (``만``, ``万``, ``千``...).

    Example: ``has_units("123만")`` and not ``has_units("1,230,000")``
    """
    return any(char in UNITS for char in text)


def read_units(body: str, read: Reader) -> Decimal | str | None:
    """The value of `body` written with units, why it cannot be read, or
    None when it has no unit character.

    Args:
        body: the number without sign or currency (``1억 2천만``).
        read: reads the digits before a unit in the locale's rules.

    Returns:
        The exact value, a reason (``'천' has no digits before it...``), or None.

    Example: ``read_units("1억 2천만", Decimal) == Decimal(120000000)``
    """
    tokens = _tokens(body)
    if tokens is None:
        return None
    if isinstance(tokens, str):
        return tokens
    parts = _parts(tokens, read)
    if isinstance(parts, str):
        return parts
    return _total(parts, body)


def _tokens(body: str) -> list[tuple[str, str | None]] | str | None:
    """(the text before each unit, the unit), the last with unit None when
    digits follow the last unit; None without units."""
    tokens: list[tuple[str, str | None]] = []
    written = ""
    for char in body:
        if char in UNITS:
            tokens.append((written.strip(), char))
            written = ""
        else:
            written += char
    if not tokens:
        return None
    if written.strip():
        tokens.append((written.strip(), None))
    return tokens


#: One myriad part: its value, its power of ten, its unit ('' for the
#: ones), and the digits written before it ('' for ``2천5백``).
_Part = tuple[Decimal, int, str, str]


def _parts(tokens: list[tuple[str, str | None]], read: Reader) -> list[_Part] | str:
    """The myriad parts, highest first, or why not."""
    parts: list[_Part] = []
    small: list[tuple[int, int, str]] = []  # (digit, power, unit) in this part
    for written, unit in tokens:
        power = 0 if unit is None else UNITS[unit]
        if unit is not None and power < _MYRIAD:
            if not (len(written) == 1 and written in _DIGITS):
                return _small_needs_a_digit(written, unit)
            if small and power >= small[-1][1]:
                return f"{unit!r} after {small[-1][2]!r}: units in falling order"
            small.append((int(written), power, unit))
            continue
        if parts and power >= parts[-1][1]:
            return f"{unit!r} after {parts[-1][2]!r}: units in falling order"
        value = _myriad_value(written, unit, small, read)
        if isinstance(value, str):
            return value
        small = []
        parts.append((value, power, unit or "", written))
    if small:
        parts.append((_small_value(small), 0, "", ""))
    return parts


def _myriad_value(
    written: str, unit: str | None, small: list[tuple[int, int, str]], read: Reader
) -> Decimal | str:
    """The value before a myriad unit (or the end): the small units' places
    (``2천5백``), or the digits written (``123``), or why not."""
    if small:
        if written:
            return (
                f"digits {written!r} after {small[-1][2]!r}: write each "
                "place with its unit (3천5백), or the amount in digits"
            )
        return _small_value(small)
    if not written:
        return f"{unit!r} has no digits before it: write the amount in digits"
    return read(written)


def _small_needs_a_digit(written: str, unit: str) -> str:
    if not written:
        return f"{unit!r} has no digits before it: write 1{unit}, or the amount in digits"
    return (
        f"{written!r} before {unit!r}: one digit 1-9 goes before {unit!r}; write the "
        "amount in digits"
    )


def _small_value(small: list[tuple[int, int, str]]) -> Decimal:
    """``2천5백`` as (2, 3), (5, 2): 2,500."""
    return Decimal(sum(digit * 10**power for digit, power, _ in small))


def _total(parts: list[_Part], body: str) -> Decimal | str:
    """The sum of the parts, once each is above zero, each after the first
    whole, below ten thousand and in the myriad right below the one before
    it, and no single digit trails a myriad unit."""
    myriad = Decimal(10**_MYRIAD)
    for value, _, unit, _ in parts:
        if value <= 0:
            return f"{value} before {unit!r}: write the amount in digits"
        if value != value.to_integral_value() and len(parts) > 1:
            return (
                f"a fraction ({value}) in an amount of several parts: write the "
                "amount in digits"
            )
    total = sum((value * Decimal(10) ** power for value, power, _, _ in parts), Decimal(0))
    for (_, above, unit_above, _), (value, power, unit, written) in zip(
        parts, parts[1:], strict=False
    ):
        if value >= myriad:
            return (
                f"{written or value} before {unit or 'the end'!r} is not below "
                f"ten thousand in {body!r}: write the amount in digits"
            )
        if power != above - _MYRIAD:
            # ``1억 2천`` is 100,002,000 by the units, 120,000,000 as said
            said = total + value * (10 ** (above - _MYRIAD) - 10**power)
            return _two_ways(body, unit_above, total, said, "skips a unit after")
        if not unit and len(written) == 1:
            # ``1만5`` is 10,005 by the units, 15,000 as said
            said = total + value * (10 ** (above - 1) - 1)
            return _two_ways(body, unit_above, total, said, "has one digit after")
    return total


def _two_ways(body: str, unit: str, total: Decimal, said: Decimal, what: str) -> str:
    return (
        f"{body!r} {what} {unit!r}: {total:,} by the units, {said:,} as it is "
        "often said; write the amount in digits"
    )
