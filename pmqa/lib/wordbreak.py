"""Thai text cut into words, and where a Thai title may break: between words, never inside one.

Thai is written without spaces, and the browser's own line breaker splits compounds such as
"ระบบราชการ" into "ระบบ / ราชการ". Titles are cut into words with PyThaiNLP (its dictionary
plus the criteria's own terms) and each word is kept whole; nothing is added to the text, so
the PDF's text layer stays the text of the database.
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


def words(text: str) -> list[str]:
    """The text cut into words and the spaces between them; joined, they are the text."""
    if not text:
        return []
    from pythainlp.tokenize import word_tokenize

    found: list[str] = word_tokenize(
        text, custom_dict=_dictionary(), engine="newmm", keep_whitespace=True
    )
    return found


def keep_words_html(text: str) -> str:
    """HTML of the text in which a line may break only between words: each word in a
    non-breaking span, with a break opportunity (<wbr>, no character) between words."""
    out = []
    for word in words(text):
        if word.isspace():
            out.append(html.escape(word))
        else:
            out.append(f'<span class="w">{html.escape(word)}</span><wbr>')
    return "".join(out)
