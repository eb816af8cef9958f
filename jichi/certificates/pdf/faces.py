"""The fonts a certificate is drawn with, measured and cut down to the glyphs it uses.

Two faces, tried in order for every character: IPAex明朝 (required, fonts-ipaexfont)
and IPAmj明朝 (optional, fonts-ipamj-mincho: the 文字情報基盤 MJ characters that
IPAex lacks). A character neither maps is refused before anything is drawn
(:mod:`jichi.certificates.pdf.glyphs`), so a PDF never shows a blank box.

Speed: fpdf2 parses and subsets the whole 8 MB (IPAex) or 46 MB (IPAmj) font with
fontTools for every document, about 0.2 s. A :class:`Face` instead reads the font
once per process (character map, advance widths, glyph offsets) and, per document,
copies the few hundred glyphs the document uses into a small TrueType font
(:meth:`Face.subset`) in about a millisecond; fpdf2 then embeds that small font.
Glyph outlines are copied byte for byte (composite glyphs get their component
indices renumbered), the hinting tables (``cvt``, ``fpgm``, ``prep``) are kept.
"""

from __future__ import annotations

import mmap
import struct
import sys
from array import array
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont

from jichi.common.fonts import MINCHO, MJ_MINCHO, find_font, font_path

# Tables copied unchanged into a subset; head, hhea, maxp, hmtx, loca, glyf, post and
# cmap are rebuilt.
_COPIED_TABLES = ("OS/2", "cvt ", "fpgm", "gasp", "name", "prep")
# Composite glyph flags (OpenType glyf table).
_ARG_1_AND_2_ARE_WORDS = 0x0001
_WE_HAVE_A_SCALE = 0x0008
_MORE_COMPONENTS = 0x0020
_WE_HAVE_AN_X_AND_Y_SCALE = 0x0040
_WE_HAVE_A_TWO_BY_TWO = 0x0080


@dataclass
class Face:
    """One TrueType font, read once: its character map, widths and raw glyph data."""

    key: str  # the family name given to fpdf2 ("ipaexm", "ipamjm")
    path: Path
    cmap: dict[int, int]  # code point → glyph id
    advances: list[int]  # advance width per glyph id, font units
    units_per_em: int
    _tables: dict[str, bytes]
    _loca: array
    _glyf: mmap.mmap | bytes
    _glyf_offset: int

    def width(self, text: str, size_pt: float) -> float:
        """The advance of `text` at `size_pt`, in millimetres (every character mapped)."""
        cmap, advances = self.cmap, self.advances
        units = sum(advances[cmap[ord(ch)]] for ch in text)
        return units * size_pt / self.units_per_em * (25.4 / 72)

    def subset(self, codepoints: set[int]) -> bytes:
        """A TrueType font holding only the glyphs of `codepoints` (all mapped)."""
        glyphs = _glyph_closure(self, sorted({self.cmap[cp] for cp in codepoints} - {0}))
        new_id = {old: new for new, old in enumerate(glyphs)}
        glyf, loca = bytearray(), array("I")
        for old in glyphs:
            loca.append(len(glyf))
            glyf += _remapped(self._glyph_data(old), new_id)
            glyf += b"\0" * (-len(glyf) % 4)
        loca.append(len(glyf))
        if sys.byteorder == "little":
            loca.byteswap()
        cmap = {cp: new_id[self.cmap[cp]] for cp in codepoints}
        tables = {tag: self._tables[tag] for tag in _COPIED_TABLES if tag in self._tables}
        tables |= {
            "head": _patched(self._tables["head"], (8, ">I", 0), (50, ">h", 1)),
            "hhea": _patched(self._tables["hhea"], (34, ">H", len(glyphs))),
            "maxp": _patched(self._tables["maxp"], (4, ">H", len(glyphs))),
            "hmtx": self._hmtx(glyphs),
            "loca": loca.tobytes(),
            "glyf": bytes(glyf),
            "post": b"\x00\x03\x00\x00" + self._tables["post"][4:32],
            "cmap": _cmap_format12(cmap),
        }
        return _sfnt(tables)

    def _glyph_data(self, gid: int) -> bytes:
        start, end = self._loca[gid], self._loca[gid + 1]
        return self._glyf[self._glyf_offset + start : self._glyf_offset + end]

    def _hmtx(self, glyphs: list[int]) -> bytes:
        lsb_of = self._tables["hmtx"]
        n_metrics = struct.unpack_from(">H", self._tables["hhea"], 34)[0]
        out = bytearray()
        for gid in glyphs:
            if gid < n_metrics:
                lsb = struct.unpack_from(">h", lsb_of, 4 * gid + 2)[0]
            else:
                lsb = struct.unpack_from(">h", lsb_of, 4 * n_metrics + 2 * (gid - n_metrics))[0]
            out += struct.pack(">Hh", self.advances[gid], lsb)
        return bytes(out)


def _glyph_closure(face: Face, glyphs: list[int]) -> list[int]:
    """.notdef, the glyphs, and the components of composite glyphs, in that order."""
    ordered, seen = [0], {0}
    pending = list(glyphs)
    while pending:
        gid = pending.pop(0)
        if gid in seen:
            continue
        seen.add(gid)
        ordered.append(gid)
        pending.extend(_components(face._glyph_data(gid)))
    return ordered


def _components(data: bytes) -> list[int]:
    return [gid for gid, _ in _component_offsets(data)]


def _component_offsets(data: bytes) -> list[tuple[int, int]]:
    """(glyph id, offset of that id) for each component of a composite glyph."""
    if len(data) < 10 or struct.unpack_from(">h", data)[0] >= 0:
        return []
    found, pos = [], 10
    while True:
        flags, gid = struct.unpack_from(">HH", data, pos)
        found.append((gid, pos + 2))
        pos += 4 + (4 if flags & _ARG_1_AND_2_ARE_WORDS else 2)
        if flags & _WE_HAVE_A_SCALE:
            pos += 2
        elif flags & _WE_HAVE_AN_X_AND_Y_SCALE:
            pos += 4
        elif flags & _WE_HAVE_A_TWO_BY_TWO:
            pos += 8
        if not flags & _MORE_COMPONENTS:
            return found


def _remapped(data: bytes, new_id: dict[int, int]) -> bytes:
    offsets = _component_offsets(data)
    if not offsets:
        return data
    out = bytearray(data)
    for gid, pos in offsets:
        struct.pack_into(">H", out, pos, new_id[gid])
    return bytes(out)


def _patched(table: bytes, *fields: tuple[int, str, int]) -> bytes:
    out = bytearray(table)
    for offset, fmt, value in fields:
        struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def _cmap_format12(cmap: dict[int, int]) -> bytes:
    """A cmap table with one (3, 10) format 12 subtable, one group per character."""
    groups = b"".join(struct.pack(">III", cp, cp, gid) for cp, gid in sorted(cmap.items()))
    subtable = struct.pack(">HHIII", 12, 0, 16 + len(groups), 0, len(cmap)) + groups
    return struct.pack(">HHHHI", 0, 1, 3, 10, 12) + subtable


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(_big_endian_array("I", padded)) & 0xFFFFFFFF


def _big_endian_array(typecode: str, data: bytes) -> array:
    values = array(typecode, data)
    if sys.byteorder == "little":
        values.byteswap()
    return values


def _sfnt(tables: dict[str, bytes]) -> bytes:
    """The font file: offset table, table records (sorted by tag), padded tables."""
    tags = sorted(tables)
    n = len(tags)
    entry_selector = n.bit_length() - 1
    search_range = 16 * (1 << entry_selector)
    header = struct.pack(
        ">IHHHH", 0x00010000, n, search_range, entry_selector, 16 * n - search_range
    )
    offset = 12 + 16 * n
    records, body = bytearray(), bytearray()
    for tag in tags:
        data = tables[tag]
        records += struct.pack(
            ">4sIII", tag.encode("latin-1"), _checksum(data), offset + len(body), len(data)
        )
        body += data + b"\0" * (-len(data) % 4)
    font = bytearray(header + records + body)
    head_at = (
        12
        + 16 * n
        + sum(len(tables[t]) + (-len(tables[t]) % 4) for t in tags[: tags.index("head")])
    )
    struct.pack_into(">I", font, head_at + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)


def _read(key: str, path: Path) -> Face:
    font = TTFont(path, lazy=True)
    if "glyf" not in font:  # pragma: no cover - the Debian fonts are TrueType
        raise ValueError(f"{path.name} has no TrueType outlines (glyf)")
    cmap = {cp: font.getGlyphID(name) for cp, name in font.getBestCmap().items()}
    hmtx = font.reader["hmtx"]
    n_metrics = font["hhea"].numberOfHMetrics
    advances = [struct.unpack_from(">H", hmtx, 4 * i)[0] for i in range(n_metrics)]
    advances += [advances[-1]] * (font["maxp"].numGlyphs - n_metrics)
    loca = _big_endian_array("I" if font["head"].indexToLocFormat else "H", font.reader["loca"])
    if not font["head"].indexToLocFormat:
        loca = array("I", (2 * v for v in loca))
    with path.open("rb") as handle:
        glyf = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    tags = (*_COPIED_TABLES, "head", "hhea", "maxp", "hmtx", "post")
    tables = {tag: bytes(font.reader[tag]) for tag in tags if tag in font.reader}
    return Face(
        key,
        path,
        cmap,
        advances,
        font["head"].unitsPerEm,
        tables,
        loca,
        glyf,
        font.reader.tables["glyf"].offset,
    )


@cache
def faces() -> tuple[Face, ...]:
    """The faces to draw with, in the order they are tried (IPAex明朝 first).

    Raises ``font.missing`` (503) when IPAex明朝 is not installed.
    """
    found = [_read("ipaexm", font_path(MINCHO))]
    mj = find_font(MJ_MINCHO)
    if mj is not None:
        found.append(_read("ipamjm", mj))
    return tuple(found)


def face_for(codepoint: int) -> Face | None:
    """The first face that maps `codepoint`, or ``None``."""
    for face in faces():
        if codepoint in face.cmap:
            return face
    return None


@cache
def _em_advances() -> dict[int, float]:
    """Code point → advance in em, from the face that draws it."""
    table: dict[int, float] = {}
    for face in reversed(faces()):
        em = face.units_per_em
        table.update({cp: face.advances[gid] / em for cp, gid in face.cmap.items()})
    return table


def em_width(text: str) -> float:
    """The advance of `text` in em (every character must be drawable)."""
    table = _em_advances()
    try:
        return sum(table[ord(ch)] for ch in text)
    except KeyError as missing:
        raise ValueError(f"U+{missing.args[0]:04X} has no glyph") from None
