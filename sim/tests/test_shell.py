"""The phone's sh: POSIX parsing and expansion, the records of substitutions and unknown commands."""

from __future__ import annotations

import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screenpilot_sim import PhoneConfig, VirtualPhone
from screenpilot_sim.testing import AdbDevice


@pytest.fixture(scope="module")
def phone() -> VirtualPhone:
    return VirtualPhone(PhoneConfig(clock="10:30", animation_ms=0))


@pytest.fixture(autouse=True)
def _fresh(phone: VirtualPhone) -> None:
    phone.reset()


@pytest.mark.parametrize(("line", "out"), [
    ("echo 'a  b' \"c $HOME d\" e\\ f", "a  b c / d e f\n"),
    ("echo one; echo two", "one\ntwo\n"),
    ("true && echo yes || echo no", "yes\n"),
    ("false && echo yes || echo no", "no\n"),
    ("false; echo $?", "1\n"),
    ("X=5; echo \"[$X]\" ${X} ${Y:-fallback} ${#X}", "[5] 5 fallback 1\n"),
    ("echo $(echo inner) `echo tick`", "inner tick\n"),
    ("echo \"$(echo 'quoted  spaces')\"", "quoted  spaces\n"),
    ("E=; echo a $E b \"$E\" c", "a b  c\n"),
    ("printf '%s=%d\\n' a 1 b 2", "a=1\nb=2\n"),
    ("for i in 1 2 3; do echo $i; done | grep -v 2", "1\n3\n"),
    ("if [ -d /sdcard ]; then echo dir; fi", "dir\n"),
    ("f() { echo \"f:$1\"; return 4; }; f arg; echo $?", "f:arg\n4\n"),
    ("echo $'tab\\there'", "tab\there\n"),
    ("echo a'b'\"c\"d", "abcd\n"),
    ("echo \\$HOME '$HOME'", "$HOME $HOME\n"),
    ("cd /sdcard && pwd", "/sdcard\n"),
    ("echo hi > /sdcard/x.txt; cat /sdcard/x.txt; echo more >> /sdcard/x.txt; wc -l < /sdcard/x.txt", "hi\n2\n"),
    ("sh -c 'echo $0 $1' name arg", "name arg\n"),
    ("cat <<EOF\nheredoc $HOME\nEOF", "heredoc /\n"),
])
def test_posix_rules(phone: VirtualPhone, line: str, out: str) -> None:
    code, stdout, stderr = phone.shell(line)
    assert (stdout, stderr) == (out, ""), (line, stdout, stderr)
    assert code == 0


def test_exit_status_of_a_line_is_its_last_command(phone: VirtualPhone) -> None:
    assert phone.shell("exit 42; echo never") == (42, "", "")
    assert phone.shell("true; false")[0] == 1
    assert phone.shell("! true")[0] == 1


def test_unknown_command_is_127_with_mksh_message_and_recorded(phone: VirtualPhone) -> None:
    code, out, err = phone.shell("frobnicate --now; echo after")
    assert code == 0 and out == "after\n"
    assert err == "/system/bin/sh: frobnicate: inaccessible or not found\n"
    [unknown] = phone.records.unknown
    assert unknown.name == "frobnicate" and unknown.argv == ("frobnicate", "--now")
    assert unknown.command_line == "frobnicate --now; echo after"


@pytest.mark.parametrize(("line", "message"), [
    ("echo )", "/system/bin/sh: syntax error: ')' unexpected\n"),
    ("echo 'open", "/system/bin/sh: syntax error: no closing quote\n"),
    ("echo \\$(id)", "/system/bin/sh: syntax error: '(' unexpected\n"),
])
def test_syntax_errors_are_reported_not_run(phone: VirtualPhone, line: str, message: str) -> None:
    code, out, err = phone.shell(line)
    assert (code, out, err) == (1, "", message)
    assert phone.records.syntax_errors[-1].command_line == line
    assert not phone.records.substitutions


def test_every_substitution_is_recorded_with_its_line(phone: VirtualPhone) -> None:
    phone.shell("echo $(id) \"`whoami`\" ${X:-$(date)}")
    texts = [s.text for s in phone.records.substitutions]
    assert texts == ["$(id)", "`whoami`", "$(date)"]
    assert all(s.command_line.startswith("echo $(id)") for s in phone.records.substitutions)


def test_quoted_substitutions_are_only_text(phone: VirtualPhone) -> None:
    _code, out, _ = phone.shell("echo '$(id)' '`id`' \"\\$(id)\"")
    assert out == "$(id) `id` $(id)\n"
    assert phone.records.substitutions == []


def test_no_host_program_ever_runs(phone: VirtualPhone, tmp_path: object) -> None:
    """Host commands are just unknown names on the phone; a host path does not exist there."""
    marker = f"{tmp_path}/touched"
    code, _, _err = phone.shell(f"python3 -c 'open(\"{marker}\", \"w\")'; /bin/touch {marker}; bash -c 'touch {marker}'")
    import os

    assert not os.path.exists(marker)
    assert [u.name for u in phone.records.unknown] == ["python3", "/bin/touch", "bash"]
    assert code == 127


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40))
def test_shlex_quoted_text_arrives_literally(text: str) -> None:
    """Whatever printable ASCII a driver quotes with shlex.quote comes out unchanged: no expansion."""
    phone = _PHONE
    phone.records.clear()
    code, out, err = phone.shell(f"printf '%s' {shlex.quote(text)}")
    assert (code, out, err) == (0, text, "")
    assert phone.records.substitutions == [] and phone.records.unknown == []


_PHONE = VirtualPhone(PhoneConfig(animation_ms=0))


HOSTILE = ["$(reboot)", "`reboot`", "a; reboot", "a | reboot", "it's", 'say "hi"', "$HOME", "a && reboot",
           "x\\y", "100%sure", "tab\there", "* ? [a]", "$(echo pwned > /sdcard/pwned)"]


def test_hostile_text_through_a_correctly_quoted_command_arrives_literally(adb_device: AdbDevice) -> None:
    """Through the real adb server: text quoted for the phone's sh reaches the command unchanged."""
    phone = adb_device.phone
    for text in HOSTILE:
        phone.records.clear()
        r = adb_device.shell(f"echo {shlex.quote(text)}")
        assert r.stdout.decode() == text + "\n"
        assert phone.records.substitutions == [] and phone.records.unknown == []


def test_hostile_text_through_a_naive_command_is_caught(adb_device: AdbDevice) -> None:
    """The same text pasted unquoted escapes into the shell, and the records show it."""
    phone = adb_device.phone
    adb_device.shell("input text $(reboot)")
    assert [s.text for s in phone.records.substitutions] == ["$(reboot)"]
    assert phone.records.unknown == []  # `reboot` exists on a phone (and refuses the shell user)
    phone.records.clear()
    adb_device.shell("input text hello; reboot")
    assert [c.line for c in phone.records.commands][-1] == "input text hello; reboot"
    phone.records.clear()
    adb_device.shell("input text `rm -rf /sdcard/Download`")
    assert [s.text for s in phone.records.substitutions] == ["`rm -rf /sdcard/Download`"]
    assert adb_device.phone.fs.isdir("/sdcard/Download") is False


@settings(deadline=None)
@given(st.text(max_size=80))
def test_any_command_line_ends_in_an_exit_status_never_an_exception(line: str) -> None:
    """Garbage in, an sh-style answer out: the interpreter never raises and never hangs."""
    code, out, err = _PHONE.shell(line, timeout=5)
    assert 0 <= code <= 255
    assert isinstance(out, str) and isinstance(err, str)


@settings(deadline=None)
@given(st.lists(st.sampled_from(["echo", "$(", ")", "`", "'", '"', "\\", ";", "|", "&&", "||", "$X", "${X:-",
                                 "}", "{", "(", "if", "then", "fi", "for", "do", "done", "<", ">", "2>&1", "*",
                                 "~", "$?", "#", "\n", " ", "input", "text", "x"]), max_size=14))
def test_shell_syntax_soup_never_breaks_the_phone(parts: list[str]) -> None:
    code, _, _ = _PHONE.shell(" ".join(parts), timeout=5)
    assert 0 <= code <= 255


def test_a_timeout_cancels_a_command_that_waits(phone: VirtualPhone) -> None:
    assert phone.shell("sleep 600; echo never", timeout=0.2) == (130, "", "")
    assert phone.shell("logcat", timeout=0.2)[0] == 130


@pytest.mark.parametrize(("line", "construct"), [
    ("case x in a) echo a;; esac", "case ... esac"),
    ("select x in a; do :; done", "select"),
])
def test_an_unsupported_construct_is_named_as_written(phone: VirtualPhone, line: str, construct: str) -> None:
    code, out, err = phone.shell(line)
    assert (code, out) == (1, "")
    assert err == f"/system/bin/sh: {construct} is not supported by the virtual phone's shell\n"  # not bashlex's own words
