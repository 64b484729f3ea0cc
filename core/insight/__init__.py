"""What the network learned: evaluation on a split, decision grids, diagnostics. Computed here,
drawn by gui/views/insight."""
