"""Perceptron Studio's computing core: pure Python and NumPy, never Qt.

Modules, one concept each:
errors, spec, params, activations, losses, initializers, optimizers, model, training,
metrics, dataset (CSV → table → Dataset), preprocessing, model_io, exports, project, cli.
"""
