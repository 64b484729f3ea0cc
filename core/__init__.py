"""Perceptron Studio's computing core: pure Python and NumPy, never Qt.

Packages, one concept each; imports point down this list, never up (tests/test_layering.py):

    errors, limits  typed errors whose messages go straight to a person; size limits of what is
                    read and written (used by every layer)
    nn         the network and its training        } neither imports the other
    data       tabular data from CSV to arrays     }
    recipe     where a network meets a dataset: output activation and network for a dataset,
               the fit check, Dataset -> TrainingData (pairing), the bundled examples
    files      the model bundle, model files, projects, predictions from a saved model, exports
    insight    evaluation, decision grids, diagnostics
    cli        the command line: parsing and commands only
"""
