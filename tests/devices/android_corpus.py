"""Hostile strings for the android driver's typing tests: each must arrive in the field exactly, and
none may make the phone's shell substitute a command or run an unknown one.

Built, not listed, so every shell metacharacter meets every position (alone, inside a word, leading,
trailing) and the AOSP ``%s`` rule meets its neighbours. Deterministic: the same 200+ strings each run.
"""

from __future__ import annotations

METACHARS = list(";|&$`\\\"'(){}[]<>*?!#~=%^,@:+")

SHELL = [
    "$(reboot)",
    "`reboot`",
    "$(rm -rf /sdcard)",
    "$HOME",
    "${PATH}",
    "$((1+1))",
    "$0 $1 $? $$ $! $@ $* $#",
    "$'\\x41'",
    '"$(id)"',
    "'$(id)'",
    "a;reboot",
    "; reboot",
    "| sh",
    "&& reboot",
    "|| reboot",
    "a & b",
    "> /sdcard/owned",
    "< /etc/passwd",
    "2>&1",
    "cat /etc/hosts | sh",
    "{a,b,c}",
    "*.txt",
    "[a-z]?",
    "~root",
    "!!",
    "#not a comment",
    "a #b",
    "\\",
    "\\\\",
    "\\n is not a newline",
    "'",
    '"',
    "''",
    '""',
    "'\"'\"'",
    "it's",
    'say "hi"',
    "IFS=x; eval x",
    "exec reboot",
    "\\$(reboot)",
    "\\`reboot\\`",
    "$(echo `echo nested`)",
    "trap 'reboot' EXIT",
]

PERCENT = [
    "%s",
    "%%s",
    "%%%s",
    "%",
    "%%",
    "s%",
    "%s%s",
    "%s%",
    "100%sure",
    "50% off",
    "%S",
    "%d %n %x",
    "% s",
    "%ss",
    "a%\ns",
    "%\ts",
    "%%ss%%s",
    "%20s",
    "%s %s %s",
]

WHITESPACE = [
    " ",
    "   ",
    " leading",
    "trailing ",
    "two  spaces",
    "\t",
    "\n",
    "\n\n",
    "a\tb\nc",
    "line one\nline two\nline three",
    "\ttabbed\n\tlines",
    " \t \n ",
]

DASHES = ["-", "--", "-n", "-e foo", "--help", "-- -x", "-d 0", "---", "-1", "-s %s"]

UNICODE = [
    "café",
    "naïve",
    "Ångström",
    "Crème brûlée",
    "Zürich Straße",
    "ñandú",
    "e\u0301",  # e + combining acute
    "你好世界",
    "日本語のテキスト",
    "한국어",
    "שלום",
    "مرحبا بالعالم",
    "abc שלום def",
    "Привет, мир",
    "Ελληνικά",
    "हिन्दी",
    "ภาษาไทย",
    "😀",
    "👍🏽",
    "👨‍👩‍👧‍👦",
    "🇫🇷🇯🇵",
    "zero\u200bwidth",
    "no\u00a0break",
    "ﬁ ligature",
    "½ ¾ ±",
    "€100 £5 ¥9",
    "“smart” ‘quotes’",
    "em—dash…",
    "$(echo 你好)",
    "%s😀%s",
    "café\nnaïve\ttab",
    "'שלום'",
    "-é",
]


def _generated() -> list[str]:
    out = []
    for c in METACHARS:
        out += [c, f"a{c}b", f"{c}start", f"end{c}", f"{c}{c}"]
    return out


def _long() -> list[str]:
    ascii_2000 = "".join(chr(32 + (i * 7) % 95) for i in range(2000))
    mixed = ("The $(quick) `brown` fox; 50%s off | 'it's' \"ok\" -n\n\tcafé 你好 😀 " * 40)[:2000]
    return [ascii_2000, mixed, "a" * 2000]


def corpus() -> list[str]:
    seen: dict[str, None] = {}
    for s in SHELL + PERCENT + WHITESPACE + DASHES + UNICODE + _generated() + _long():
        seen.setdefault(s, None)
    return list(seen)


if __name__ == "__main__":  # pragma: no cover
    print(len(corpus()))
