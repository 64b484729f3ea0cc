"""Where a network meets a dataset: the rules that pair them (output activation and loss for a
task, training data from a dataset, fit checks) and the bundled example recipes."""
