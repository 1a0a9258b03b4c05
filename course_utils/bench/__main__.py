"""The benchmark's command line: `python -m course_utils.bench` (see `course_utils.bench.sweep`)."""

from course_utils.bench.sweep import main

if __name__ == "__main__":
    main()
