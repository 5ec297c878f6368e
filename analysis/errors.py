"""The two kinds of failure a user can meet, each rendered once by the CLI."""


class InputError(Exception):
    """Bad input (parameter, scenario, data file, model config, path).

    The message names the culprit (parameter, or file:row:column) and what was
    expected. The CLI prints it on one line and exits with code 2.
    """


class BuildError(Exception):
    """A notebook or the book build failed on valid input (exit code 1)."""
