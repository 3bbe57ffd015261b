#!/usr/bin/env python3
"""Writes test/fixtures/text/upstream-en-models.json: what g2p_en's own neural predictor (G2p.predict) says for
words missing from upstream's dictionary, and what NLTK's perceptron tagger (pos_tag) says for sentences with
g2p_en homographs, from the NLTK corpora (state_union, abc, webtext, inaugural). Checks Mynah's ports of both
independently of the golden sentence sets (which cannot reach the predictor: see README).
usage: NLTK_DATA=... PYTHONPATH=<GPT_SoVITS>/GPT_SoVITS python3 en_models.py OUT.json
"""
import hashlib, json, pickle, re, sys, os
from nltk.corpus import state_union, abc, webtext, inaugural
from nltk.tokenize import TweetTokenizer
from nltk import pos_tag
from g2p_en import G2p

out = sys.argv[1]
tok = TweetTokenizer().tokenize
g = G2p()
up = os.path.join(os.path.dirname(__import__('text').__file__))
cmu = pickle.load(open(os.path.join(up, 'engdict_cache.pickle'), 'rb'))
names = pickle.load(open(os.path.join(up, 'namedict_cache.pickle'), 'rb'))

def h(s):
    return hashlib.sha1(s.encode()).hexdigest()

words = set()
sents = []
for corpus in (state_union, abc, webtext, inaugural):
    for fid in corpus.fileids():
        for line in corpus.raw(fid).split('\n'):
            line = line.strip()
            for w in re.findall(r"[A-Za-z]+", line):
                lw = w.lower()
                if len(lw) > 3 and lw not in cmu and lw not in names:
                    words.add(lw)
            if 20 < len(line) < 200 and re.fullmatch(r"[A-Za-z ,.'?!-]+", line):
                toks = tok(line)
                if any(t.lower() in g.homograph2features for t in toks if len(t) > 1):
                    sents.append(line)
words = sorted(words, key=h)[:400]
sents = sorted(set(sents), key=h)[:400]
data = {
    'meta': {'source': 'g2p_en 2.0 G2p.predict and NLTK 3.8 pos_tag (averaged_perceptron_tagger.pickle), run by scripts/golden/en_models.py'},
    'oov': [[w, ' '.join(g.predict(w))] for w in words],
    'tags': [[s, ' '.join(t for _, t in pos_tag(tok(s)))] for s in sents],
}
json.dump(data, open(out, 'w'), ensure_ascii=False, indent=0)
print(len(data['oov']), len(data['tags']))
