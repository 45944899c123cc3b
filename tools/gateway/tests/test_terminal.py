"""The readable terminal as pure functions: the request line, handler lines, and the order in
which they are printed (an injected clock decides when a request stops waiting)."""

from __future__ import annotations

import io
import json
import time

import pytest

from lego_gateway import terminal
from lego_gateway.terminal import RequestRecord, Terminal

AT = time.mktime((2026, 12, 6, 14, 5, 9, 0, 0, -1))


def _record(status: int = 201, function: str = "mocs", request_id: str = "r-1") -> RequestRecord:
    return RequestRecord(AT, "POST", "/api/mocs", status, 23.84, function, request_id)


def _handler(event: str, request_id: str = "r-1", **values: object) -> str:
    return json.dumps(
        {
            "event": event,
            "service": "lego-projects-api",
            "function": "mocs",
            "request_id": request_id,
            "route": "POST /api/mocs",
            "level": "info",
            "timestamp": "2026-12-06T14:05:09Z",
            **values,
        }
    )


def test_request_line_has_time_method_path_status_duration_function_and_start() -> None:
    line = terminal.request_line(_record(), "warm", colour=False)

    assert line.split() == ["14:05:09", "POST", "/api/mocs", "201", "23.8", "ms", "mocs", "warm"]
    assert "\033[" not in line


@pytest.mark.parametrize(("status", "code"), [(200, "32"), (302, "36"), (404, "33"), (502, "31")])
def test_request_line_status_colour_on_a_tty(status: int, code: str) -> None:
    line = terminal.request_line(_record(status), "cold", colour=True)

    assert f"\033[{code}m{status}\033[0m" in line


def test_request_line_without_a_handler_run_says_dash() -> None:
    assert terminal.request_line(_record(401, "mocs"), None, colour=False).endswith("mocs      -")


def test_handler_line_is_event_then_its_own_keys_indented() -> None:
    lines = terminal.handler_lines(_handler("moc_created", moc_id="m-1", note="two words"), False)

    assert lines == ['    moc_created  moc_id=m-1  note="two words"']


def test_handler_warning_is_labelled_and_coloured() -> None:
    raw = _handler("cache_unavailable", level="warning", error="ConnectionError")

    assert terminal.handler_lines(raw, colour=False) == [
        "    WARNING cache_unavailable  error=ConnectionError"
    ]
    assert terminal.handler_lines(raw, colour=True)[0].startswith("    \033[33mWARNING")


def test_handler_exception_is_printed_as_a_traceback() -> None:
    exception = [
        {
            "exc_type": "KeyError",
            "exc_value": "'title'",
            "frames": [{"filename": "service.py", "lineno": 12, "name": "create_moc"}],
        }
    ]
    raw = _handler("request_crashed", level="error", exception=exception)

    assert terminal.handler_lines(raw, colour=False) == [
        "    ERROR request_crashed",
        '          File "service.py", line 12, in create_moc',
        "        KeyError: 'title'",
    ]


def test_metric_lines_are_left_to_json_mode_and_plain_text_is_kept() -> None:
    emf = json.dumps({"_aws": {"CloudWatchMetrics": []}, "ColdStart": 1})

    assert terminal.handler_lines(emf, colour=False) == []
    assert terminal.handler_lines("print() from a handler", colour=False) == [
        "    print() from a handler"
    ]


def test_handler_lines_go_under_their_request_line_with_cold_or_warm() -> None:
    out = io.StringIO()
    view = Terminal(out, colour=False)

    view.handler_output(_handler("moc_created", moc_id="m-1"))
    view.handler_output(_handler("other_request", request_id="r-2"))
    view.handler_output(_handler("request_completed", cold_start=True, status=201))
    view.request_done(_record())
    view.flush()

    lines = out.getvalue().splitlines()
    assert lines[0].split()[-2:] == ["mocs", "cold"]
    assert lines[1:] == ["    moc_created  moc_id=m-1", "    request_completed  status=201"]


def test_request_waits_briefly_for_its_handler_lines_then_prints_without() -> None:
    out = io.StringIO()
    view = Terminal(out, colour=False)
    view.request_done(_record())
    queued = time.monotonic()

    view.flush(now=queued + 0.05)
    assert out.getvalue() == ""
    view.flush(now=queued + terminal.HANDLER_LINES_WAIT_S + 0.01)
    assert out.getvalue().splitlines()[0].endswith("mocs      -")

    view.handler_output(_handler("late_line"))  # its request is out: printed at once
    assert out.getvalue().splitlines()[-1] == "    late_line"


def test_lines_of_an_id_no_request_claims_are_printed_after_a_second() -> None:
    out = io.StringIO()
    view = Terminal(out, colour=False)
    view.handler_output(_handler("parts_list_loaded", request_id="async-1", rows=3))

    view.flush()
    assert out.getvalue() == ""
    view.flush(now=time.monotonic() + terminal.ORPHAN_LINES_WAIT_S + 0.1)
    assert out.getvalue() == "    parts_list_loaded  rows=3\n"


def test_json_mode_installs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(terminal.FORMAT_ENV, "json")

    assert terminal.install() is None


def test_startup_lines_say_docs_token_and_seed() -> None:
    text = "\n".join(terminal.startup_lines("http://127.0.0.1:3000"))

    assert "http://127.0.0.1:3000/docs" in text
    assert "make token USER=alice" in text
    assert "make seed" in text


def test_pump_keeps_draining_when_the_terminal_is_gone() -> None:
    # a container blocks on a full stdout pipe: the pump must read it whatever happens
    import os
    import threading

    gone = io.StringIO()
    gone.close()
    view = Terminal(gone, colour=False)
    read_fd, write_fd = os.pipe()
    pump = threading.Thread(target=view.pump, args=(read_fd,), daemon=True)
    pump.start()
    line = ("print() output of a handler " + "x" * 200 + "\n").encode()  # printed at once

    written = threading.Event()

    def write_a_megabyte() -> None:
        for _ in range(1024 * 1024 // len(line) + 1):
            os.write(write_fd, line)
        written.set()

    threading.Thread(target=write_a_megabyte, daemon=True).start()
    drained = written.wait(10)
    os.close(write_fd)
    pump.join(5)
    os.close(read_fd)

    assert drained, "the pump stopped reading: containers would block"
    assert not pump.is_alive()
