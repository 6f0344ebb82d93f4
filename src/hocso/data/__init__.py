"""Small synthetic data sets for the lessons, made by code here and labelled as synthetic.

Each data set lives in its own module with a function that builds it from a fixed seed,
so every learner and every test sees the same rows. Nothing here describes real people.
"""
