"""``dosaku experiment``: two training configurations measured at equal compute (see ``cli/experiment.py``)."""
