"""The ``dosaku`` command: argument parsing that calls into the packages. Thin."""
