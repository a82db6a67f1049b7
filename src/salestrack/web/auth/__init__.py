"""The browser's way in: login, logout and the start page."""
