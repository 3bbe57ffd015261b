#!/usr/bin/env python3
"""Collects varied Japanese sentences for the Japanese g2p golden set (see make-golden.py).

Sources (all Debian packages, installed with apt): translated documentation (debian-faq-ja,
debian-reference-ja, maint-guide-ja, developers-reference-ja), Japanese man pages (manpages-ja) and
gettext message catalogs (/usr/share/locale/ja), plus generated sentences (templates.py) for
conversation, numbers, dates, counters, phone numbers and loanwords.
Writes one sentence per line to stdout, deduplicated, in a fixed pseudo-random order.
"""
import glob, gzip, gettext, html, os, random, re, subprocess, sys

sys.path.insert(0, os.path.dirname(__file__))
import templates  # noqa: E402

JA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
KANA = re.compile(r"[\u3040-\u309f]")


def good(s):
    s = s.strip()
    if not (6 <= len(s) <= 70):
        return False
    ja = len(JA.findall(s))
    if ja < 0.6 * len(s) or not KANA.search(s):
        return False
    if re.search(r"[<>{}=\\|/_#$@`~\[\]]|https?:|%[sd]|\.\.\.\.", s):
        return False
    return True


def sentences(text):
    text = re.sub(r"\s+", "", text) if JA.search(text) else text
    for part in re.split(r"(?<=[。！？])", text):
        if good(part):
            yield part.strip()


def read(path):
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rt", encoding="utf-8", errors="ignore") as f:
        return f.read()


def from_html():
    out = []
    files = glob.glob("/usr/share/doc/**/*.ja.html", recursive=True) + glob.glob("/usr/share/doc/**/ja/**/*.html", recursive=True)
    files += glob.glob("/usr/share/doc/debian-reference-ja/**/*.html", recursive=True)
    files += glob.glob("/usr/share/doc/maint-guide-ja/**/*.html", recursive=True)
    files += glob.glob("/usr/share/doc/developers-reference-ja/**/*.html", recursive=True)
    for p in sorted(set(files)):
        t = read(p)
        t = re.sub(r"(?s)<(script|style|pre).*?</\1>", " ", t)
        for para in re.split(r"(?i)</?(p|li|td|dt|dd|h\d|div|title)[^>]*>", t):
            para = html.unescape(re.sub(r"<[^>]+>", "", para))
            out.extend(sentences(para))
    return out


def from_man():
    out = []
    for p in sorted(glob.glob("/usr/share/man/ja/**/*", recursive=True)):
        if os.path.isdir(p):
            continue
        t = read(p)
        lines = [l for l in t.splitlines() if not l.startswith((".", "'"))]
        t = re.sub(r"\\f[BIRP]|\\-|\\\(..|\\&|\\e", "", "\n".join(lines))
        for para in t.split("\n\n"):
            out.extend(sentences(para.replace("\n", "")))
    return out


def from_mo():
    out = []
    for p in sorted(glob.glob("/usr/share/locale/ja/LC_MESSAGES/*.mo")):
        try:
            with open(p, "rb") as f:
                cat = gettext.GNUTranslations(f)
        except Exception:
            continue
        for v in cat._catalog.values():
            if isinstance(v, str):
                out.extend(sentences(v.replace("\n", "")))
    return out


def main():
    rng = random.Random(16)
    groups = {"html": from_html(), "man": from_man(), "mo": from_mo(), "gen": templates.generate(rng)}
    seen, out = set(), []
    quota = {"html": 1700, "man": 900, "mo": 900, "gen": 100000}
    for name, items in groups.items():
        items = [s for s in dict.fromkeys(items) if s not in seen]
        rng.shuffle(items)
        for s in items[: quota[name]]:
            seen.add(s)
            out.append(s)
        print(f"{name}: {len(items)} available, {min(len(items), quota[name])} taken", file=sys.stderr)
    rng.shuffle(out)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
