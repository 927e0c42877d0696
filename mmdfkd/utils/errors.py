"""The one exception type for bad user input."""


class DFKDInputError(Exception):
    """Bad user input: a missing or mismatched checkpoint, an unknown model
    name, missing data, a broken teacher, non-finite losses.

    The message names the problem and the fix. ``tools/train.py`` and
    ``tools/test.py`` print it as one line and exit with status 1 instead of a
    traceback.
    """
