"""What the user sees: panels, plots, the network diagram (diagram/) and the insight views
(insight/). Views read the document, emit *_requested intents, and draw live through one
mechanism, live_view.LiveView (on screen only, at most once a frame)."""
