"""Browser tests of the explorer (Playwright + Debian chromium)."""
