"""Model files, projects, predictions from a saved model and exports: everything that leaves or
enters the app as a file."""
