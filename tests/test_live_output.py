"""A notebook cell's command: its output printed as it comes, its failure reported without raising."""

import sys

from course_utils.tools.live_output import run_with_live_output


def test_run_with_live_output_prints_each_line_and_the_error_on_failure(capsys):
    code = "import sys; print('line 1', flush=True); print('boom', file=sys.stderr); sys.exit(3)"
    assert run_with_live_output([sys.executable, "-c", code]) == 3
    out = capsys.readouterr().out
    assert "line 1" in out and "boom" in out and "failed (exit 3)" in out


def test_a_command_that_succeeds_prints_no_error(capsys):
    assert run_with_live_output([sys.executable, "-c", "print('fine')"]) == 0
    out = capsys.readouterr().out
    assert "fine" in out and "failed" not in out


def test_a_failure_prints_only_the_last_lines_again(capsys):
    code = "import sys\nfor i in range(8): print(f'line {i}', flush=True)\nsys.exit(1)"
    assert run_with_live_output([sys.executable, "-c", code], keep=3) == 1
    out = capsys.readouterr().out
    repeated = out[out.index("failed") :]
    assert all(f"line {i}" in repeated for i in (5, 6, 7)) and "line 4" not in repeated
