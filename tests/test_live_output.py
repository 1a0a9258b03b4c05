"""A notebook cell's command: its output printed as it comes, its failure reported without raising."""

import sys

from course_utils.tools.live_output import run_with_live_output


def test_run_with_live_output_prints_each_line_and_the_error_on_failure(capsys):
    code = "import sys; print('line 1', flush=True); print('boom', file=sys.stderr); sys.exit(3)"
    assert run_with_live_output([sys.executable, "-c", code]) == 3
    out = capsys.readouterr().out
    assert "line 1" in out and "boom" in out and "failed (exit 3)" in out


def test_a_command_that_succeeds_prints_no_error():
    assert run_with_live_output([sys.executable, "-c", "print('fine')"]) == 0
