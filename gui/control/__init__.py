"""The control layer: the document, the controllers that apply user intents, the training worker
thread, actions, undo, dialogs interface and the frame clock. Never draws."""
