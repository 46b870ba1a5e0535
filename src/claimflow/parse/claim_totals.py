"""A claim file's total rows, checked against the claim rows read above them.

Contract: the CSV and Excel readers leave a total row out of the claims
(`claimflow.parse.common.is_total`: a total word, no claim identifier) and
hand it here with every claim row they read (`ClaimTotals.add`,
`ClaimTotals.total`); `ClaimTotals.check`, once the sheet or file is read,
compares each figure the total holds under a column that adds up
(quantity, line and claim totals, a stay's revenue, taxes, fees and
incidentals; never a unit price) with the sum of that column over its
scope's claim rows, as a spreadsheet's ``SUM`` gives it:

- the scope is the rows since the total row before it (a subtotal), or
  every claim row above it in the sheet (a grand total after subtotals, a
  carried-forward ``Übertrag``); the first that every figure equals is
  taken, and named in the total's note (``its Quantity 12 equals the 11
  claim rows above``);
- the rows' values and the figures are read as the claims read them
  (`read_figure`: the file's number locale, an
  amount in its row's currency; Decimal sums, never floats);
- a figure that differs refuses the file, naming the row, the column, the
  figure as written and the sum (``row 14: the total row's Quantity says
  12, the 11 claim rows above add up to 11; a row may be missing or
  misread``): nothing is written;
- a figure that cannot be compared is named unchecked in the note, with
  why: a formula the workbook never saved a value of, a claim row of its
  scope whose value is unreadable (that claim is pended for it), amounts
  in two currencies. A figure that is no number refuses the file, as a
  reference table's does; a total row with no figure is left out as it is.

A PDF claim's line table hands its total rows and claim lines here the
same way, one `ClaimTotals` per claim (`claimflow.parse.pdf_totals`).
Member lists and source exports check theirs with the same figure reader
(`read_figure`, `claimflow.parse.tables.Table.check_totals`), and a stay
export's revenue over rows in two currencies is unchecked as here
(`row_currency`, `mixed_currencies`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.models import Unsaved
from claimflow.numbers import NumberError, NumberFormat
from claimflow.parse.common import TOTAL
from claimflow.values import ValueContext

#: Numeric fields whose column adds up to nothing (a price per unit).
NOT_SUMMED = frozenset({"unit_price"})


def summed_fields(client: ResolvedClient) -> dict[str, bool]:
    """The fields a total row may sum: field -> whether it is a whole number.

    Example: ``summed_fields(acme) == {"claim_total": False, "quantity": True, ...}``
    """
    return {
        name: kind == "int"
        for name, kind in client.fields.all.items()
        if kind in ("int", "decimal") and name not in NOT_SUMMED
    }


def total_figures(values: Mapping[str, object]) -> dict[str, object]:
    """A total row's figures: its values but its label (``Summe``).

    Example: ``total_figures({"id": "Summe", "amount": "12"}) == {"amount": "12"}``
    """
    return {
        f: v for f, v in values.items() if not (isinstance(v, str) and TOTAL.match(v))
    }


def read_figure(
    value: object,
    numbers: NumberFormat,
    currency: str | None = None,
    whole: bool = False,
) -> Decimal:
    """A total's figure as the rows' values are read: text in the file's
    number locale (`NumberFormat.read`), a typed cell (int or Decimal) as
    it is.

    Raises:
        NumberError: text that is not a number as the locale writes it.
        ArithmeticError: a typed cell that is no number.

    Example: ``read_figure("1.234,50", number_format("de_DE")) == Decimal("1234.50")``
    """
    if isinstance(value, str):
        return numbers.read(value, whole=whole, currency=currency)
    return Decimal(str(value))


def file_numbers(
    client: ResolvedClient, name: str, values: ValueContext | None = None
) -> tuple[NumberFormat, str | None]:
    """How file `name` writes numbers, and the currency of its amounts, as
    the claims read them (`values`: the batch's value context; None: the
    client's own).

    Example: ``file_numbers(acme, "claims.csv")[0].locale == "en_US"``
    """
    if values is None:
        from claimflow.validate import context_for  # parse runs before validate

        values = context_for(client)
    context = values.for_file(name)
    return context.numbers, context.currency


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _shown(value: object) -> str:
    return repr(str(value)) if isinstance(value, str) else str(value)


def row_currency(values: Mapping[str, object], default: str | None) -> str | None:
    """The currency a row's amounts are in: its own ``currency`` code (a
    stay's), else `default` (the client's: `claimflow.validate.record`
    reads it so).

    Example: ``row_currency({"currency": "usd"}, "EUR") == "USD"``
    """
    value = values.get("currency")
    code = value.strip().upper() if isinstance(value, str) else ""
    if len(code) == 3 and code.isascii() and code.isalpha():
        return code
    return default


def mixed_currencies(currencies: Collection[str | None]) -> str | None:
    """Why a total over amounts in `currencies` cannot be checked (their
    sum adds euros to dollars), or None: one currency, or none.

    Example: ``mixed_currencies({"USD", "EUR"}) == "the rows' amounts are in EUR and USD"``
    """
    if len(currencies) < 2:
        return None
    return f"the rows' amounts are in {' and '.join(sorted(map(str, currencies)))}"


@dataclass
class _Sums:
    """The claim rows between two total rows, summed column by column.

    Attributes:
        rows: the claim rows counted.
        sums: field -> the sum of its values (Decimal).
        currencies: field -> the currencies its amounts are in.
        unread: field -> the first (row, value) of it that is no number.
        hidden: field -> the sum of its values on rows hidden in the workbook.
        hidden_rows: those rows.
        once: field -> the sum of a claim's own value (a claim total, a
            stay's revenue) counting each claim once, where the claim's
            line rows repeat it (a total may sum it either way).
    """

    rows: int = 0
    sums: dict[str, Decimal] = field(default_factory=dict)
    currencies: dict[str, set[str | None]] = field(default_factory=dict)
    unread: dict[str, tuple[int, object]] = field(default_factory=dict)
    hidden: dict[str, Decimal] = field(default_factory=dict)
    hidden_rows: list[int] = field(default_factory=list)
    once: dict[str, Decimal] = field(default_factory=dict)

    def joined(self, other: _Sums) -> _Sums:
        """These rows and `other`'s, summed."""
        both = _Sums(self.rows + other.rows)
        for name in {*self.sums, *other.sums}:
            zero = Decimal(0)
            both.sums[name] = self.sums.get(name, zero) + other.sums.get(name, zero)
        for name in {*self.hidden, *other.hidden}:
            zero = Decimal(0)
            both.hidden[name] = self.hidden.get(name, zero) + other.hidden.get(
                name, zero
            )
        for name in {*self.currencies, *other.currencies}:
            both.currencies[name] = self.currencies.get(
                name, set()
            ) | other.currencies.get(name, set())
        for name in {*self.once, *other.once}:
            zero = Decimal(0)
            both.once[name] = self.once.get(name, zero) + other.once.get(name, zero)
        both.unread = {**other.unread, **self.unread}
        both.hidden_rows = self.hidden_rows + other.hidden_rows
        return both


@dataclass
class _Total:
    """A total row as read: its row, its figures, its other cells, its note."""

    row: int
    figures: dict[str, object]
    others: list[str]
    note: int | None


class ClaimTotals:
    """The total rows of one CSV file or one sheet, and the sums they check.

    Rows are added in any order relative to the totals (a reader may hold
    its last rows back to tell a footer), but every total row above a
    claim row must be known when that row is added: a claim row's scope is
    the rows since the last total row above it.

    Args:
        file: the file's name, for messages.
        place: ``sheet Claims:`` for a sheet, ``""`` for a CSV file.
        headers: the header row's cells as written (a column's name).
        mapping: column position -> field.
        client: the resolved client (which fields add up).
        numbers: how the file writes numbers (its number locale).
        currency: the currency a row without one of its own is in.
        notes: the reader's notes, where each total row's note is (see
            `total`) and is completed by `check`.
        unit: what a summed row is, in messages (``claim row``; in a
            PDF's line table, ``claim line``).
        name_row: how messages name a row by its number (``row 14``; a
            PDF's rows are numbered in reading order and named by page).
    """

    def __init__(
        self,
        file: str,
        place: str,
        headers: Sequence[object],
        mapping: Mapping[int, str],
        client: ResolvedClient,
        numbers: NumberFormat,
        currency: str | None,
        notes: list[str],
        unit: str = "claim row",
        name_row: Callable[[int], str] | None = None,
    ) -> None:
        self.file, self.place = file, place
        self.unit = unit
        self.named: Callable[[int], str] = name_row or (lambda row: f"row {row}")
        self.headers = {f: str(headers[i]) for i, f in mapping.items()}
        self.unmapped = {
            i: str(h) for i, h in enumerate(headers) if i not in mapping and _filled(h)
        }
        self.mapping = mapping
        self.summed = summed_fields(client)
        self.numbers, self.currency, self.notes = numbers, currency, notes
        self._rows = [r for r in self.summed if r in self.headers]
        self._line = client.fields.line
        self._ref: object = None  # the claim the last row added belongs to
        self._totals: list[_Total] = []
        self._at: list[int] = []  # the totals' rows, in order
        self._scopes: list[_Sums] = [_Sums()]
        self._cache: dict[tuple[str, bool, str | None], Decimal | None] = {}
        self._hidden: Sequence[int] = ()
        self._next_hidden = 0

    def hide(self, rows: Sequence[int]) -> None:
        """Rows hidden in the workbook (ascending, filled in as the sheet is
        read): a total that leaves them out is said to."""
        self._hidden = rows

    def _is_hidden(self, row: int) -> bool:
        hidden, at = self._hidden, self._next_hidden
        while at < len(hidden) and hidden[at] < row:
            at += 1
        self._next_hidden = at
        return at < len(hidden) and hidden[at] == row

    @property
    def figured(self) -> bool:
        """Whether a total row holds a figure under a column that adds up."""
        return any(t.figures for t in self._totals)

    def add(self, row: int, values: Mapping[str, object]) -> None:
        """Count a claim row (rows in ascending order): its values under the
        columns that add up.

        Example: ``totals.add(7, {"quantity": "2", "line_total": "1.234,50"})``
        """
        scope = self._scopes[bisect_left(self._at, row)]
        scope.rows += 1
        # a row with the claim_ref of the row before is another line of its
        # claim (`claimflow.parse.common.group_split`): it repeats the claim's
        # own values, which a total may count once per claim
        ref = values.get("claim_ref")
        again = _filled(ref) and ref == self._ref
        self._ref = ref
        hidden = self._is_hidden(row)
        if hidden:
            scope.hidden_rows.append(row)
        for name in self._rows:
            value = values.get(name)
            if not _filled(value):
                continue
            currency = (
                None if self.summed[name] else row_currency(values, self.currency)
            )
            number = self._read(value, self.summed[name], currency)
            if number is None:
                scope.unread.setdefault(name, (row, value))
                continue
            scope.sums[name] = scope.sums.get(name, Decimal(0)) + number
            if not again or name in self._line:
                scope.once[name] = scope.once.get(name, Decimal(0)) + number
            scope.currencies.setdefault(name, set()).add(currency)
            if hidden:
                scope.hidden[name] = scope.hidden.get(name, Decimal(0)) + number

    def _read(self, value: object, whole: bool, currency: str | None) -> Decimal | None:
        """A row's value as the claims read it, or None: not a number (the
        claim is pended for it). Text is read once per distinct text."""
        if value.__class__ is int:  # a typed cell, the usual kind in a workbook
            return Decimal(value)
        if isinstance(value, str):
            value = value.strip()
        else:
            try:
                return read_figure(value, self.numbers)
            except ArithmeticError:
                return None
        key = (value, whole, currency)
        if key not in self._cache:
            try:
                number: Decimal | None = read_figure(
                    value, self.numbers, currency, whole
                )
            except (NumberError, ArithmeticError):
                number = None
            self._cache[key] = number
        return self._cache[key]

    def total(
        self,
        row: int,
        values: Mapping[str, object],
        cells: Sequence[object],
        note: int | None = None,
    ) -> None:
        """Take a total row, to be checked by `check`.

        Args:
            row: its row number.
            values: field -> its value under each mapped column.
            cells: the row's cells, by column.
            note: the index in `notes` of the note that leaves it out, which
                `check` completes with what it found.

        Example: ``totals.total(14, {"claim_ref": "Total", "quantity": 12}, cells, 3)``
        """
        figures = {
            f: v
            for f, v in total_figures(values).items()
            if f in self.summed and _filled(v)
        }
        others = [
            f"{_shown(v)} under {self.headers[f]!r} not checked: a column that does "
            "not add up"
            for f, v in total_figures(values).items()
            if f not in self.summed and _filled(v)
        ]
        others += [
            f"{_shown(cells[i])} under {header!r} not checked: a column not read"
            for i, header in self.unmapped.items()
            if i < len(cells)
            and _filled(cells[i])
            and not (isinstance(cells[i], str) and TOTAL.match(str(cells[i])))
        ]
        self._totals.append(_Total(row, figures, others, note))
        self._at.append(row)
        self._scopes.append(_Sums())

    def check(self) -> None:
        """Check every total row against its scope's sums.

        Raises:
            UnreadableInput: a figure differs from its scope's sum (naming
                the row, the column, the figure and the sum), or is no number.

        Example: ``totals.check()``
        """
        above = _Sums()
        for k, total in enumerate(self._totals):
            since = self._scopes[k]
            above = above.joined(since)
            scopes = [(since, self._since(k))]
            if k:
                scopes.append((above, "above"))
            said = self._checked(total, scopes)
            if total.note is not None and said:
                self.notes[total.note] += f"; {said}"

    def _since(self, k: int) -> str:
        return f"since the total on {self.named(self._at[k - 1])}" if k else "above"

    def _checked(self, total: _Total, scopes: list[tuple[_Sums, str]]) -> str:
        """What the note says of `total` once checked against the first of
        `scopes` its figures equal; refused if none."""
        unchecked = {
            f: "a formula with no saved value (the workbook was saved by a program "
            "that does not compute formulas: open it in Excel and save it to have "
            "it checked)"
            for f, v in total.figures.items()
            if isinstance(v, Unsaved)
        }
        figures = {f: v for f, v in total.figures.items() if f not in unchecked}
        tried = []
        for sums, how in scopes:
            read, why = self._compared(total, figures, sums)
            differ = [
                f
                for f, (figure, _) in read.items()
                if figure not in (sums.sums.get(f, 0), sums.once.get(f, 0))
            ]
            tried.append((sums, how, read, differ))
            if not differ:
                return self._said(total, read, why | unchecked, sums, how)
        # refused against the nearest scope that holds claim rows
        sums, how, read, differ = next((t for t in tried if t[0].rows), tried[0])
        name = differ[0]
        figure, value = read[name]
        total_sum = sums.sums.get(name, Decimal(0))
        once = sums.once.get(name, Decimal(0))
        claims_once = f" ({once} counting each claim once)" if once != total_sum else ""
        written = (
            _shown(value)
            if str(value) == str(figure)
            else f"{_shown(value)} ({figure})"
        )
        rows = self._rows_word(sums.rows)
        hint = f"a {self.unit.split()[-1]} may be missing or misread"
        if sums.hidden_rows and figure == total_sum - sums.hidden.get(name, 0):
            hidden = ", ".join(map(str, sums.hidden_rows[:10]))
            hint = (
                f"the total leaves out the rows hidden in the workbook ({hidden}), "
                "which are read as claims: unhide them and check whether they are claims"
            )
        raise UnreadableInput(
            self.file,
            f"the total row's {self.headers[name]} says {written}, the {sums.rows} "
            f"{rows} {how} {'adds' if sums.rows == 1 else 'add'} up to {total_sum}"
            f"{claims_once}; "
            f"{hint}",
            f"{self.place}{self.named(total.row)}",
        )

    def _rows_word(self, count: int) -> str:
        return self.unit if count == 1 else f"{self.unit}s"

    def _compared(
        self, total: _Total, figures: Mapping[str, object], sums: _Sums
    ) -> tuple[dict[str, tuple[Decimal, object]], dict[str, str]]:
        """The figures read for `sums` (field -> (figure, as written)), and
        the fields that cannot be compared with it, with why."""
        read: dict[str, tuple[Decimal, object]] = {}
        why: dict[str, str] = {}
        for name, value in figures.items():
            whole = self.summed[name]
            currencies = sums.currencies.get(name, set())
            if name in sums.unread:
                row, found = sums.unread[name]
                why[name] = (
                    f"{self.named(row)}'s {_shown(found)} is no number "
                    "(its claim is pended)"
                )
                continue
            mixed = mixed_currencies(currencies)
            if mixed is not None:
                why[name] = mixed
                continue
            currency = (
                next(iter(currencies), None)
                if currencies
                else (None if whole else self.currency)
            )
            text = value.strip() if isinstance(value, str) else value
            try:
                read[name] = (read_figure(text, self.numbers, currency, whole), value)
            except (NumberError, ArithmeticError) as exc:
                detail = (
                    str(exc)
                    if isinstance(exc, NumberError)
                    else f"expected a number, found {_shown(value)}"
                )
                raise UnreadableInput(
                    self.file,
                    f"the total row's {self.headers[name]}: {detail}",
                    f"{self.place}{self.named(total.row)}",
                ) from None
        return read, why

    def _said(
        self,
        total: _Total,
        read: Mapping[str, tuple[Decimal, object]],
        why: Mapping[str, str],
        sums: _Sums,
        how: str,
    ) -> str:
        parts = []
        if read:
            figures = " and ".join(
                f"{self.headers[f]} {str(value).strip()}"
                for f, (_, value) in read.items()
            )
            rows = self._rows_word(sums.rows)
            verb = "equals" if len(read) == 1 else "equal"
            parts.append(f"its {figures} {verb} the {sums.rows} {rows} {how}")
        parts += [
            f"{_shown(total.figures[f])} under {self.headers[f]!r} not checked: {reason}"
            for f, reason in why.items()
        ]
        return "; ".join(parts + total.others)
