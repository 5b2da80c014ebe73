"""Surveys (SIPAS, civil servants): questionnaires, respondents, shares with intervals, sample planning."""
