"""What the user sees: panels, plots, the network diagram and the insight views. Views read the
document and emit *_requested intents."""
