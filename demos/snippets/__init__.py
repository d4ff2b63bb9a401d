"""The deck's code as written, runnable: the programs, what each lesson predicts, a runner.

From a terminal:

    python -m demos.snippets --list [--json]
    python -m demos.snippets --run two_tasks [--json] [--deadline-s S]
"""
