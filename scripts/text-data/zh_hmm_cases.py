#!/usr/bin/env python3
"""Writes test/fixtures/text/jieba-hmm-cases.json: jieba 0.42.1's own posseg.lcut (HMM on) and
cut_for_search results for Chinese runs of the zh golden set and for random character strings
(which go through the HMMs), so Mynah's port can be checked against jieba itself.
usage: /usr/bin/python3 zh_hmm_cases.py [N_RANDOM]"""
import json, random, re, sys
import jieba, jieba.posseg
from jieba.posseg.char_state_tab import P as TAB
jieba.setLogLevel(60)
n_random = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
rows = json.load(open('test/fixtures/text/upstream-zh.json', encoding='utf-8'))['rows']
runs = sorted({r for row in rows for seg in row['segments'] for r in re.findall('[\u4e00-\u9fa5]+', seg['normText'])})
rng = random.Random(16)
chars = sorted(c for c in TAB if '\u4e00' <= c <= '\u9fa5')
common = [c for r in runs for c in r]
for _ in range(n_random):
    pool = chars if rng.random() < 0.3 else common
    runs.append(''.join(rng.choice(pool) for _ in range(rng.randint(2, 12))))
cases = [[s, [[w, t] for w, t in jieba.posseg.lcut(s)], jieba.lcut_for_search(s)] for s in runs]
with open('test/fixtures/text/jieba-hmm-cases.json', 'w', encoding='utf-8') as f:
    json.dump({'meta': {'source': 'jieba 0.42.1 posseg.lcut (HMM) and lcut_for_search', 'script': 'scripts/text-data/zh_hmm_cases.py'}, 'cases': cases}, f, ensure_ascii=False, separators=(',', ':'))
print(len(cases))
