"""Tools for collecting a round: the survey template, synthetic example rounds,
feedback workbooks and the collection status."""
