"""A notebook cell's command: its output printed as it comes, its failure reported without raising."""

import sys

from course_utils.tools.streaming import run_streaming


def test_run_streaming_prints_each_line_and_the_error_on_failure(capsys):
    code = "import sys; print('line 1', flush=True); print('boom', file=sys.stderr); sys.exit(3)"
    assert run_streaming([sys.executable, "-c", code]) == 3
    out = capsys.readouterr().out
    assert "line 1" in out and "boom" in out and "failed (exit 3)" in out


def test_a_command_that_succeeds_prints_no_error():
    assert run_streaming([sys.executable, "-c", "print('fine')"]) == 0
