"""Perceptron Studio's computing core: pure Python and NumPy, never Qt.

Packages, one concept each; imports point down this list, never up:

    errors     typed errors whose messages go straight to a person (used by every layer)
    nn         the network and its training        } neither imports the other
    data       tabular data from CSV to arrays     }
    recipe     where a network meets a dataset: the pairing rules and the bundled examples
    files      model files, projects, predictions from a saved model, exports
    insight    evaluation, decision grids, diagnostics
    cli        the command line: parsing and commands only
"""
