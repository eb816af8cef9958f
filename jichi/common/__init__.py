"""Shared helpers with no models: dates, check digits, kana, errors, ids."""
