"""Tabular data from CSV to arrays: reading, column kinds, missing values, preprocessing, splits.
Imports nothing from nn/."""
