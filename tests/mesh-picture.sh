#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mesh --svg and --html as their readers see them: the files unit-picture renders from judged
# results (six nodes, node2 dead, node10 - node20 a slow link; and 1,024 nodes) parsed by
# python3's XML parser, then the page drawn by a real browser, headless Chromium, and its
# screenshot read back pixel by pixel: the bad node's red strips beside the matrix at the row
# and column that node2 has in name order, its cells black, the slow link's dark red, the
# rest green. The screenshot part is skipped where no Chromium is installed.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

PROG=$(dirname "$EFADIAG")/tests/unit-picture
if [ ! -x "$PROG" ] || ! command -v python3 >/dev/null; then
	skip "mesh pictures" "needs tests/unit-picture (make check builds it) and python3"
	done_testing
	exit
fi

"$PROG" --write "$TMPD" >"$TMPD/write.log" 2>&1
ok $? "unit-picture --write renders small.svg, small.html, big.svg, big.html"
[ -s "$TMPD/small.svg" ] || cat "$TMPD/write.log" >&2

# check_xml FILE: python3 parses FILE as XML and checks what the picture must show; prints
# one line per problem.
check_xml() {
	python3 - "$1" <<'EOF'
import sys, xml.etree.ElementTree as ET
path = sys.argv[1]
SVG = '{http://www.w3.org/2000/svg}'
H = '{http://www.w3.org/1999/xhtml}'
try:
    root = ET.parse(path).getroot()
except ET.ParseError as e:
    print('not well-formed: %s' % e)
    sys.exit(1)
svg = root if root.tag == SVG + 'svg' else root.find('.//' + SVG + 'svg')
if svg is None:
    print('no <svg> element')
    sys.exit(1)
big = 'big' in path
bad = [g for g in svg.iter(SVG + 'g') if g.get('class') == 'bad-node']
want = ('700', None) if big else ('1', 'node2')
if len(bad) != 1 or bad[0].get('data-rank') != want[0] or \
        (want[1] and bad[0].get('data-host') != want[1]):
    print('bad nodes marked: %s' % [(g.get('data-rank'), g.get('data-host')) for g in bad])
links = [(g.get('data-a'), g.get('data-b')) for g in svg.iter(SVG + 'g')
         if g.get('class') == 'bad-link']
if links != ([('3', '900')] if big else [('0', '5')]):
    print('bad links marked: %s' % links)
rows = [t.text for t in svg.iter(SVG + 'text') if (t.get('class') or '').startswith('row')]
if not big and rows != ['a<b&"c', 'node1', 'node2', 'node3', 'node10', 'node20']:
    print('row labels, in order, after unescaping: %s' % rows)
if big and not 70 <= len(rows) <= 90:
    print('row labels at 1,024 nodes: %d, want every 13th' % len(rows))
title = ''.join(svg.find(SVG + 'title').itertext())
if 'FAIL: bad_nodes: 1 bad node, 0 bad NICs, 1 bad link' not in title:
    print('title: %s' % title)
if root.tag == H + 'html':
    for e in root.iter():
        for a in ('src', 'href'):
            if e.get(a) is not None:
                print('loads %s from elsewhere' % e.get(a))
    trs = [tr for tr in root.iter(H + 'tr') if tr.get('class') == 'bad-node']
    cells = [[''.join(td.itertext()) for td in tr] for tr in trs]
    if len(cells) != 1 or cells[0][:2] != ([want[0], 'ip-10-0-1-44'] if big else ['1', 'node2']):
        print('bad nodes table: %s' % cells)
    pairs = [tr for tr in root.iter(H + 'tr') if (tr.get('class') or '').startswith('pair')]
    if len(pairs) != (50 if big else 15):
        print('worst pairs rows: %d' % len(pairs))
EOF
}

for f in small.svg small.html big.svg big.html; do
	out=$(check_xml "$TMPD/$f" 2>&1)
	[ -z "$out" ]
	ok $? "$f: well-formed XML, the bad node, link and labels as they should be"
	[ -z "$out" ] || diag "$out"
done
size=$(stat -c %s "$TMPD/big.svg")
[ "$size" -lt 1000000 ]
ok $? "big.svg: 1,024 nodes in $size bytes (below 1 MB)"

BROWSER=
for b in chromium chromium-headless-shell chromium-browser google-chrome; do
	command -v "$b" >/dev/null && BROWSER=$b && break
done
if [ -z "$BROWSER" ] || ! command -v timeout >/dev/null; then
	skip "the page in a browser" "Chromium is not installed (apt-get install chromium)"
	done_testing
	exit
fi

# A headless screenshot at one pixel per CSS pixel, the scroll bars hidden.
shot=$TMPD/small.png
timeout 90 "$BROWSER" --headless --no-sandbox --disable-gpu --no-first-run \
	--user-data-dir="$TMPD/profile" --force-device-scale-factor=1 --hide-scrollbars \
	--window-size=900,560 --screenshot="$shot" "file://$TMPD/small.html" >"$TMPD/shot.log" 2>&1
[ -s "$shot" ]
ok $? "$BROWSER draws small.html: a screenshot of $(stat -c %s "$shot" 2>/dev/null || echo 0) bytes"
[ -s "$shot" ] || { tail -5 "$TMPD/shot.log" | while read -r l; do diag "$l"; done; }

# The screenshot read back (a PNG decoder on zlib: no imaging library needed), the bad
# node's strips found by their colour, and the matrix read where node2 must be.
out=$(python3 - "$shot" <<'EOF' 2>&1
import re, struct, sys, zlib

def png(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise SystemExit('not a PNG')
    pos, idat = 8, b''
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise SystemExit('PNG of depth %d, colour type %d, interlace %d: not decoded here'
                         % (depth, ctype, interlace))
    bpp = 4 if ctype == 6 else 3
    raw, stride = zlib.decompress(idat), w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows

w, h, bpp, rows = png(sys.argv[1])

def px(x, y):
    x, y = int(x), int(y)
    return tuple(rows[y][x * bpp:x * bpp + 3])

def near(c, hexc):
    want = tuple(int(hexc[i:i + 2], 16) for i in (1, 3, 5))
    return all(abs(a - b) <= 4 for a, b in zip(c, want))

RED, BLACK, GREEN, LOW, SELF = '#e41a1c', '#000000', '#1a9850', '#b2182b', '#f0f0f0'
# Runs of the bad node's red, row by row: (y, x0, x1).
runs = []
for y in range(h):
    x = 0
    while x < w:
        if near(px(x, y), RED):
            x0 = x
            while x < w and near(px(x, y), RED):
                x += 1
            runs.append((y, x0, x))
        x += 1
# The row strip: the tallest stack of 8 px runs at one x (text in red has short stacks); the
# column strip: the tallest stack above it of runs as wide as the row strip is tall.
def stack(rs):
    best, cur = [], []
    for r in rs:
        if cur and (r[0] != cur[-1][0] + 1 or r[1:] != cur[-1][1:]):
            best, cur = max(best, cur, key=len), []
        cur.append(r)
    return max(best, cur, key=len)
row = max((stack([r for r in runs if r[2] - r[1] == 8 and r[1] == x])
           for x in set(r[1] for r in runs)), key=len, default=[])
if len(row) < 4:
    raise SystemExit('no bad-node strip of %s found (%d red runs)' % (RED, len(runs)))
rx, ry0, ry1 = row[0][1], row[0][0], row[-1][0] + 1
cell = ry1 - ry0
col = stack([r for r in runs if r[2] - r[1] == cell and r[0] < ry0])
if not col:
    raise SystemExit('no column strip above the row strip')
cx0, cx1, cy1 = col[0][1], col[0][2], col[-1][0] + 1
left, top = rx + 8 + 2, cy1 + 2
# Where node2 must be: its place in natural name order.
names = ['node10', 'node2', 'a<b&"c', 'node1', 'node3', 'node20']
key = lambda s: [int(t) if t.isdigit() else t for t in re.split(r'(\d+)', s)]
pos = sorted(names, key=key).index('node2')
problems = []
if cx1 - cx0 != cell or len(col) != 8:
    problems.append('the column strip is %dx%d, the row strip %d tall' % (cx1 - cx0, len(col), cell))
if (ry0 - top) != pos * cell or (cx0 - left) != pos * cell:
    problems.append('strips at row %.2f, column %.2f; node2 is %d in name order'
                    % ((ry0 - top) / cell, (cx0 - left) / cell, pos))
def at(r, c):
    return px(left + (c + 0.5) * cell, top + (r + 0.5) * cell)
for (r, c), colour, what in (((pos, 0), BLACK, 'node2 - a<b&"c, blocked'),
                             ((0, pos), BLACK, 'a<b&"c - node2, blocked'),
                             ((pos, 5), BLACK, 'node2 - node20, blocked'),
                             ((1, 0), GREEN, 'node1 - a<b&"c, healthy'),
                             ((3, 4), GREEN, 'node3 - node10, healthy'),
                             ((4, 5), LOW, 'node10 - node20, the slow link'),
                             ((5, 4), LOW, 'node20 - node10, the slow link'),
                             ((pos, pos), SELF, 'node2 itself')):
    if not near(at(r, c), colour):
        problems.append('cell %d,%d (%s) is %s, want %s' % (r, c, what, at(r, c), colour))
print('\n'.join(problems) if problems else
      'ok: %dx%d screenshot, matrix at %d,%d, %d px cells, node2 at row and column %d'
      % (w, h, left, top, cell, pos))
EOF
)
case $out in ok:*) true ;; *) false ;; esac
ok $? "the screenshot: node2's row and column marked red where name order puts it, its cells black, the slow link dark red, the rest green"
diag "$out"

done_testing
