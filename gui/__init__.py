"""Perceptron Studio's window: PySide6 and pyqtgraph over core/.

    control    document, controllers, training worker, actions, undo, dialogs, frame clock
    views      panels, plots, the network diagram, the insight views (import control, never the
    reverse)
    main_window, menus, app   composition: build the window from control and views
"""
