#!/usr/bin/env python3
"""A labelled set of notice pages written again as a crawler's text of them.

Usage: notice_as_text.py SRC DST [--flatten]

Each HTML page of SRC (a directory with `labels.jsonl` and `pages/`) becomes a `.txt` page in
DST: its text with one line per block element and table cells parted by tabs, as crawlers
commonly store a page; with `--flatten`, the whole page on one line, every line end and cell
boundary a space. The labels are copied with the new file names. Extraction should read these
as it reads the pages themselves.
"""
import json
import os
import re
import sys
from html.parser import HTMLParser

BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
          "section", "article", "ul", "ol", "title"}


class Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag in BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def page_text(html, flatten):
    parser = Text()
    parser.feed(html)
    lines = (re.sub(r"[ \u00a0\u3000]+", " ", l).strip(" \t") for l in "".join(parser.parts).split("\n"))
    lines = [l for l in lines if l]
    if flatten:
        return " ".join(l.replace("\t", " ") for l in lines)
    return "\n".join(lines)


def decode(raw):
    declared = re.search(rb"charset=[\"']?([A-Za-z0-9-]+)", raw[:4096])
    name = declared.group(1).decode().lower() if declared else "utf-8"
    if name in ("gbk", "gb2312", "gb18030"):
        return raw.decode("gb18030", errors="replace")
    return raw.decode("utf-8", errors="replace")


def main():
    src, dst = sys.argv[1], sys.argv[2]
    flatten = "--flatten" in sys.argv[3:]
    os.makedirs(os.path.join(dst, "pages"), exist_ok=True)
    written = 0
    with open(os.path.join(src, "labels.jsonl"), encoding="utf-8") as labels, \
            open(os.path.join(dst, "labels.jsonl"), "w", encoding="utf-8") as out:
        for line in labels:
            label = json.loads(line)
            if not label["file"].endswith(".html"):
                continue
            with open(os.path.join(src, "pages", label["file"]), "rb") as page:
                text = page_text(decode(page.read()), flatten)
            label["file"] = label["file"][: -len(".html")] + ".txt"
            with open(os.path.join(dst, "pages", label["file"]), "w", encoding="utf-8") as page:
                page.write(text)
            out.write(json.dumps(label, ensure_ascii=False) + "\n")
            written += 1
    print(f"{written} pages written as text to {dst}", file=sys.stderr)


if __name__ == "__main__":
    main()
