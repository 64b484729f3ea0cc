"""Views of what the network learned: evaluation, decision boundary, prediction, diagnostics."""
