"""The exit codes every ``cbec`` command shares (listed in the package's docstring).

Apart from the command group so that a command module can name them without importing the
group that imports it.
"""

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
