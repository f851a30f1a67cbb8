"""Text cells for CSV files that people open in spreadsheets (reject files, audit exports).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some programs,
with a tab or carriage return before one) as a formula: ``=cmd|' /C calc'!A0`` in a registry
row would start a program on the desk of whoever opens the reject file ("CSV injection",
OWASP). Such a cell is written with a single quote in front, which spreadsheets take as "this
is text". So that the file still says exactly what the input said, a cell that already starts
with a quote gets one too: removing one leading quote from any cell that has one gives the
original text back (:func:`original_cell`).
"""

from __future__ import annotations

from typing import Final

#: First characters that make a spreadsheet read a cell as a formula, and the quote itself.
QUOTED_STARTS: Final = ("=", "+", "-", "@", "\t", "\r", "'")


def safe_cell(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs as a formula (reversibly).

    >>> safe_cell("=cmd|' /C calc'!A0"), safe_cell("-1"), safe_cell("'x"), safe_cell("石家庄")
    ("'=cmd|' /C calc'!A0", "'-1", "''x", '石家庄')
    """
    return "'" + text if text.startswith(QUOTED_STARTS) else text


def original_cell(cell: str) -> str:
    """The text :func:`safe_cell` was given, from the cell it wrote.

    >>> all(original_cell(safe_cell(t)) == t for t in ("=1+1", "'x", "''", "plain", ""))
    True
    """
    return cell[1:] if cell.startswith("'") else cell
