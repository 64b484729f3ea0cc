"""Where a network meets a dataset: pairing (output activation for a task, the network that fits a
dataset, the one fit check and its wording, Dataset -> TrainingData) and the bundled examples.
The command line and the app both call these; neither restates them."""
