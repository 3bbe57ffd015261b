#!/usr/bin/env python3
"""Golden phones for Mynah's Japanese frontend, from upstream GPT-SoVITS itself.

Runs upstream GPT_SoVITS/text/japanese.py (text_normalize + g2p, the v2 path with prosody marks, before
the symbol-table UNK replacement) with a real pyopenjtalk over sentences read from stdin (one a line)
and writes test/fixtures/text/ja-golden.json.

  OPEN_JTALK_DICT_DIR=/var/lib/mecab/dic/open-jtalk/naist-jdic \
  PYTHONPATH=/path/to/pyopenjtalk:/path/to/GPT-SoVITS/GPT_SoVITS \
  python3 scripts/ja/make-golden.py < corpus.txt > test/fixtures/text/ja-golden.json
(corpus.txt: the first 4600 lines of `python3 scripts/ja/collect-corpus.py`, to keep the fixture under 1 MB).

pyopenjtalk 0.4.1 (r9y9/pyopenjtalk, built from source with open_jtalk 1.11) reads Debian's
open-jtalk-mecab-naist-jdic 1.11 (the same NAIST-jdic build as pyopenjtalk's downloaded dictionary);
upstream's ja_userdic/userdict.csv is compiled by japanese.py as upstream does.
Every 5th sentence (by position) is the held-back part: tests assert on it but nothing is tuned on it.
"""
import hashlib, json, sys

from text import japanese  # upstream module (needs GPT_SoVITS on PYTHONPATH)
import pyopenjtalk

lines = [l.rstrip("\n") for l in sys.stdin if l.strip()]
items = []
for i, text in enumerate(lines):
    phones = japanese.g2p(japanese.text_normalize(text))
    items.append([text, " ".join(phones)])
sys.stdout.write(json.dumps({
    "source": "upstream GPT-SoVITS GPT_SoVITS/text/japanese.py g2p (v2, with_prosody) + pyopenjtalk 0.4.1 / OpenJTalk 1.11 / NAIST-jdic; scripts/ja/make-golden.py",
    "pyopenjtalk": pyopenjtalk.__version__,
    "heldOutEvery": 5,
    "corpus": "scripts/ja/collect-corpus.py (Debian ja documentation, man pages, gettext catalogs; templates.py), first 4600 of 5583",
    "items": items,
}, ensure_ascii=False, separators=(",", ":")).replace("],[", "],\n["))
