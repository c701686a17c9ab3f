#!/usr/bin/env python3
"""A labelled set of notice pages written again the ways other sites and crawlers give them.

Usage: notice_variants.py text|flat|chrome|columns|strings SRC DST

Each HTML page of SRC (a directory with `labels.jsonl` and `pages/`) becomes a page in DST, the
labels copied with the new file names:
- `text`: a `.txt` of its text, a line per block element and table cells parted by tabs, as
  crawlers commonly store a page;
- `strings`: every piece of text (each text node, stripped) on a line of its own, as
  BeautifulSoup's `get_text("\\n", strip=True)` gives a page: no tabs, a table a cell a line, a
  sentence cut wherever the page's markup or its source's line ends cut it;
- `flat`: the same text on one line, every line end and cell boundary a space;
- `chrome`: the page inside a portal's furniture: a `<title>` ending in the site's name, a
  navigation bar, a breadcrumb, a list of related notices (other pages' titles, of other kinds,
  with their dates) before the notice, and a footer with the site's address, records and a date;
- `columns`: each table of label and value cells (`招标人 | 甲 | 建设地点 | 乙`) laid out as
  other sites do, in tables of up to six columns: a row of the labels, a row of their values
  (a table that is not all such pairs, as one of headings over rows, is left as it is).
Extraction should read these as it reads the pages themselves.
"""
import json
import os
import random
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


class Strings(HTMLParser):
    """Every piece of text on a line of its own, as BeautifulSoup's `get_text("\\n", strip=True)`."""

    def __init__(self):
        super().__init__()
        self.lines, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data):
        text = data.strip()
        if text and not self.hidden:
            self.lines.append(text)


def page_strings(html):
    parser = Strings()
    parser.feed(html)
    return "\n".join(parser.lines)


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


class Cells(HTMLParser):
    """The rows of a table, as lists of their cells' texts."""

    def __init__(self):
        super().__init__()
        self.rows, self.cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def is_label(cell):
    """A cell that names the next: short, no figures, no firm's name."""
    return 0 < len(cell) <= 16 and not re.search(r"[0-9０-９]|公司|\.\.\.", cell)


def columns(html):
    def relaid(table):
        if table.group(0).count("<table") > 1:
            return table.group(0)  # tables in a table: the match ends at the inner one's end
        cells = Cells()
        cells.feed(table.group(0))
        rows = [row for row in cells.rows if any(row)]
        if not rows or not all(len(row) % 2 == 0 and all(is_label(row[i]) for i in range(0, len(row), 2))
                               for row in rows):
            return table.group(0)  # a table of headings over rows, or of anything but pairs
        pairs = [(row[i].rstrip(":："), row[i + 1]) for row in rows for i in range(0, len(row), 2)]
        out = ""
        for k in range(0, len(pairs), 6):
            part = pairs[k:k + 6]
            out += ('<table border="1"><tr>' + "".join(f"<th>{label}</th>" for label, _ in part)
                    + "</tr><tr>" + "".join(f"<td>{value}</td>" for _, value in part) + "</tr></table>")
        return out
    return re.sub(r"<table.*?</table>", relaid, html, flags=re.S)


def chrome(html, title, related):
    start, end = html.find("<body>"), html.rfind("</body>")
    body = html[start + len("<body>"):end] if start >= 0 and end > start else html
    items = "".join(f'<li><a href="/n/{i}.html">{t}</a><span>2024-0{i + 1}-1{i}</span></li>'
                    for i, t in enumerate(related))
    return ('<!DOCTYPE html><html><head><meta charset="utf-8">'
            f"<title>{title}_某市公共资源交易网</title></head><body>"
            '<div class="nav"><a href="/">首页</a> | <a>交易信息</a> | <a>政策法规</a> | <a>服务指南</a></div>'
            '<div class="crumb">当前位置：<a>首页</a> &gt; <a>交易信息</a> &gt; <a>中标结果公告</a></div>'
            f'<div class="side"><h3>相关公告</h3><ul>{items}</ul></div>'
            f'<div class="main">{body}</div>'
            '<div class="foot">主办单位：某市公共资源交易中心 地址：某市沿江大道52号 联系电话：0717-6666666<br>'
            "网站标识码：4205000012 备案号：鄂ICP备12345678号-1 2024-12-31 访问量：123456</div>"
            "</body></html>")


def main():
    mode, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode not in ("text", "flat", "chrome", "columns", "strings"):
        sys.exit(f"unknown variant {mode!r}: text, flat, chrome, columns or strings")
    os.makedirs(os.path.join(dst, "pages"), exist_ok=True)
    with open(os.path.join(src, "labels.jsonl"), encoding="utf-8") as lines:
        labels = [json.loads(line) for line in lines]
    titles = [label["title"] for label in labels if label.get("title")]
    kinds = ["招标公告", "中标候选人公示", "更正公告", "终止公告"]
    chosen = random.Random(7)
    written = 0
    with open(os.path.join(dst, "labels.jsonl"), "w", encoding="utf-8") as out:
        for label in labels:
            if not label["file"].endswith(".html"):
                continue
            with open(os.path.join(src, "pages", label["file"]), "rb") as page:
                html = decode(page.read())
            if mode == "chrome":
                others = chosen.sample([t for t in titles if t != label.get("title")], min(5, len(titles) - 1))
                related = [re.sub(r"(中标|成交)?(结果)?(公告|公示)$", chosen.choice(kinds), t) for t in others]
                text = chrome(html, label.get("title") or "", related)
            elif mode == "columns":
                text = columns(html)
            elif mode == "strings":
                text = page_strings(html)
                label["file"] = label["file"][: -len(".html")] + ".txt"
            else:
                text = page_text(html, mode == "flat")
                label["file"] = label["file"][: -len(".html")] + ".txt"
            with open(os.path.join(dst, "pages", label["file"]), "w", encoding="utf-8") as page:
                page.write(text)
            out.write(json.dumps(label, ensure_ascii=False) + "\n")
            written += 1
    print(f"{written} pages written ({mode}) to {dst}", file=sys.stderr)


if __name__ == "__main__":
    main()
