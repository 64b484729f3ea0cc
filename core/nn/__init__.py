"""The network and its training: specs, parameters, activations, losses, initializers, optimizers,
forward and backward passes, the training loop and its history. Imports nothing from data/."""
