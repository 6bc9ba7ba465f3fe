"""Thai text cut into words, and where Thai text may break: between words, never inside one.

Thai is written without spaces, and Chromium finds the places where a Thai line may break with
ICU's dictionary, which lacks many words of the criteria and of official writing: it breaks
"การบู / รณาการ", "ผลกระ / ทบ" and "เชื่อมโย / ง" (whatever the CSS: `word-break: keep-all` does
not stop it), and splits compounds such as "ระบบ / ราชการ". So every paragraph and title of a
report is cut into words with PyThaiNLP (its dictionary plus the criteria's own terms) and each
word is kept whole; the only break opportunities are the spaces and a <wbr> between words.
Nothing is added to the text, so the PDF's text layer stays the text of the database.
"""

from __future__ import annotations

import functools
import html
from typing import Any

# Terms of the criteria and the report that must not be split across lines.
TERMS = (
    "ระบบราชการ",
    "ระบบปฏิบัติการ",
    "ผู้รับบริการ",
    "ผู้มีส่วนได้ส่วนเสีย",
    "ส่วนได้ส่วนเสีย",
    "ข้อร้องเรียน",
    "การจัดการความรู้",
    "ผู้ตรวจประเมิน",
    "ผลการประเมิน",
    "ประเมินตนเอง",
    "เชิงยุทธศาสตร์",
    "การนำองค์การ",
    "ลักษณะสำคัญ",
    "สำนักงาน",
)


@functools.cache
def _dictionary() -> Any:
    from pythainlp.corpus.common import thai_words
    from pythainlp.util import dict_trie

    return dict_trie(set(thai_words()) | set(TERMS))


@functools.lru_cache(maxsize=8192)
def _cut(text: str) -> tuple[str, ...]:
    from pythainlp.tokenize import word_tokenize

    return tuple(
        word_tokenize(text, custom_dict=_dictionary(), engine="newmm", keep_whitespace=True)
    )


def words(text: str) -> list[str]:
    """The text cut into words and the spaces between them; joined, they are the text."""
    if not text:
        return []
    return list(_cut(text))


# A "word" longer than this (a web address, a run the dictionary cannot cut) is left to the
# browser, which may break it where it must rather than let it run past the margin.
LONGEST_KEPT = 30


def keep_words_html(text: str) -> str:
    """HTML of the text in which a line may break only between words: each word in a
    non-breaking span, with a break opportunity (<wbr>, no character) between words. Line
    breaks in the text become <br>."""
    out = []
    for line_number, line in enumerate(text.replace("\r\n", "\n").split("\n")):
        if line_number:
            out.append("<br>")
        previous = ""
        for word in words(line):
            if previous and not word.isspace() and (_thai(previous) or _thai(word)):
                # Between two words of which one is Thai; other scripts break as they do.
                out.append("<wbr>")
            if word.isspace() or len(word) > LONGEST_KEPT:
                out.append(html.escape(word))
            else:
                out.append(f'<span class="w">{html.escape(word)}</span>')
            previous = "" if word.isspace() else word
    return "".join(out)


def _thai(word: str) -> bool:
    return any("\u0e00" <= character <= "\u0e7f" for character in word)
