"""Python jieba's cut_for_search over a file of texts, one per line, with our dictionary loaded.

Usage: python3 jieba_cut.py TEXTS USERDICT
Prints one JSON object: bytes, words, seconds (the best of three passes, after jieba has built
its prefix dictionary), for `cargo bench --bench tokenize` to set beside its own figures.
"""
import json
import sys
import time

import jieba

texts_path, userdict = sys.argv[1], sys.argv[2]
jieba.setLogLevel(60)
jieba.initialize()
jieba.load_userdict(userdict)
with open(texts_path, encoding="utf-8") as f:
    texts = f.read().split("\n")
size = sum(len(t.encode("utf-8")) for t in texts)
best = None
words = 0
for _ in range(3):
    started = time.perf_counter()
    words = 0
    for text in texts:
        words += len(list(jieba.cut_for_search(text)))
    elapsed = time.perf_counter() - started
    best = elapsed if best is None else min(best, elapsed)
print(json.dumps({"bytes": size, "words": words, "seconds": best}))
