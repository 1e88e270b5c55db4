"""Draws the sample's icon font (assets/fonts/sample.woff): one teacup glyph at U+E000.

The font is an asset written for this sample, committed so that the app needs no Python:
re-run `python3 tools/make-font.py` (needs `pip install fonttools`) after changing it.
"""
import os
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

def polygon(pen, points):
    pen.moveTo(points[0])
    for p in points[1:]:
        pen.lineTo(p)
    pen.closePath()

def cup():
    pen = TTGlyphPen(None)
    polygon(pen, [(150, 100), (150, 600), (750, 600), (750, 100)])          # the cup
    polygon(pen, [(750, 500), (750, 430), (850, 430), (850, 250), (750, 250),
                  (750, 180), (920, 180), (920, 500)])                       # the handle
    polygon(pen, [(80, 0), (80, 60), (920, 60), (920, 0)])                   # the saucer
    return pen.glyph()

def empty():
    return TTGlyphPen(None).glyph()

def notdef():
    pen = TTGlyphPen(None)
    polygon(pen, [(50, 0), (50, 700), (450, 700), (450, 0)])
    return pen.glyph()

fb = FontBuilder(1000, isTTF=True)
fb.setupGlyphOrder([".notdef", "space", "cup"])
fb.setupCharacterMap({0x20: "space", 0xE000: "cup"})
fb.setupGlyf({".notdef": notdef(), "space": empty(), "cup": cup()})
fb.setupHorizontalMetrics({".notdef": (500, 50), "space": (300, 0), "cup": (1000, 80)})
fb.setupHorizontalHeader(ascent=800, descent=-200)
fb.setupNameTable({"familyName": "WNSample", "styleName": "Regular"})
fb.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
fb.setupPost()
fb.font["head"].created = fb.font["head"].modified = 0
fb.font.recalcTimestamp = False
fb.font.flavor = "woff"
out = os.path.join(os.path.dirname(__file__), "..", "assets", "fonts", "sample.woff")
fb.save(out)
print("wrote", os.path.normpath(out), os.path.getsize(out), "bytes")
