"""The app's screens. Each module registers its actions (tui.actions) at import."""
