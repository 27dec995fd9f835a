"""``dosaku campaign``: one stint of the strength campaign, state kept in the repository (see ``cli/campaign.py``)."""
