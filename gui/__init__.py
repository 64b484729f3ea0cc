"""Perceptron Studio's desktop interface: document, controller, views and the training worker."""
