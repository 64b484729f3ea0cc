"""The control layer: the document, one controller per concern, the training worker thread,
actions, undo, the dialogs interface and the frame clock. Never draws; never imports gui/views.

    document           the one observable document every view draws
    controller         Controller: composes the concern controllers, applies what crosses two
    network_control    architecture edits and undo        dataset_control   CSVs, examples, options
    training_control   Train / Pause / Stop / Step        grow_control      edits that keep learning
    file_control       model files, exports, recent       project_control   .psproj files
    worker, cadence    the training thread; the shared frame clock live views draw on
"""
